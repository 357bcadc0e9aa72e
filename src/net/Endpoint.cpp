#include "net/Endpoint.h"

#include <Poco/Net/IPAddress.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace smtpx::net {

namespace {

[[noreturn]] void fail(std::string_view text, const std::string& reason)
{
	throw std::invalid_argument("invalid server address \"" + std::string(text) + "\": " + reason);
}

std::uint16_t parsePort(std::string_view text, std::string_view port)
{
	if (port.empty())
		fail(text, "empty port");
	unsigned long value = 0;
	for (char c : port)
	{
		if (c < '0' || c > '9')
			fail(text, "port is not a number");
		value = value * 10 + static_cast<unsigned long>(c - '0');
		if (value > 65535)
			fail(text, "port out of range 1-65535");
	}
	if (value == 0)
		fail(text, "port out of range 1-65535");
	return static_cast<std::uint16_t>(value);
}

// Hosts with a colon can only be IPv6 addresses: "host:25:25" is a typo, not a host (issue #7).
void checkIpv6(std::string_view text, const std::string& host)
{
	Poco::Net::IPAddress address;
	if (!Poco::Net::IPAddress::tryParse(host, address) || address.family() != Poco::Net::AddressFamily::IPv6)
		fail(text, "not an IPv6 address (use HOST:PORT, or [IPV6]:PORT)");
}

// "[v6]" or "[v6]:port".
Endpoint parseBracketed(std::string_view text, std::uint16_t defaultPort)
{
	const std::size_t close = text.find(']');
	if (close == std::string_view::npos)
		fail(text, "'[' without ']'");
	Endpoint endpoint;
	endpoint.host = std::string(text.substr(1, close - 1));
	if (endpoint.host.empty())
		fail(text, "empty host");
	if (endpoint.host.find('[') != std::string::npos)
		fail(text, "unbalanced brackets");
	checkIpv6(text, endpoint.host);
	const std::string_view rest = text.substr(close + 1);
	if (rest.empty())
		endpoint.port = defaultPort;
	else if (rest.front() == ':')
		endpoint.port = parsePort(text, rest.substr(1));
	else
		fail(text, "unexpected text after ']'");
	return endpoint;
}

} // namespace

Endpoint Endpoint::parse(std::string_view text, std::uint16_t defaultPort)
{
	if (text.empty())
		fail(text, "empty host");
	if (std::any_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); }))
		fail(text, "contains spaces");
	if (text.front() == '[')
		return parseBracketed(text, defaultPort);
	if (text.find_first_of("[]") != std::string_view::npos)
		fail(text, "unbalanced brackets");

	const std::size_t colons = static_cast<std::size_t>(std::count(text.begin(), text.end(), ':'));
	// Several colons without brackets can only be an IPv6 address, which then has no port.
	if (colons > 1)
		checkIpv6(text, std::string(text));
	if (colons != 1)
		return Endpoint{std::string(text), defaultPort};
	const std::size_t colon = text.find(':');
	if (colon == 0)
		fail(text, "empty host");
	return Endpoint{std::string(text.substr(0, colon)), parsePort(text, text.substr(colon + 1))};
}

std::string Endpoint::toString() const
{
	const std::string port = std::to_string(this->port);
	if (host.find(':') != std::string::npos)
		return "[" + host + "]:" + port;
	return host + ":" + port;
}

} // namespace smtpx::net
