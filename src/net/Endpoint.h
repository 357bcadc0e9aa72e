// Endpoint: a server address as users type it ("host", "host:port", "[v6]:port", "v6addr").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace smtpx::net {

struct Endpoint
{
	std::string host;      // a name, an IPv4 address or an IPv6 address without brackets
	std::uint16_t port = 0;

	// Parses the forms above; `defaultPort` is used when no port is given. A bare IPv6 address with
	// more than one ':' and no brackets is taken as an address without port. Throws
	// std::invalid_argument naming the input for an empty host, a bad or out-of-range port,
	// unbalanced brackets or spaces.
	static Endpoint parse(std::string_view text, std::uint16_t defaultPort = 25);

	// "host:port", or "[v6]:port" for IPv6 addresses.
	std::string toString() const;
};

} // namespace smtpx::net
