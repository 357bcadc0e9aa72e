#include "net/Resolver.h"

#include <Poco/Net/DNS.h>
#include <Poco/Net/HostEntry.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetException.h>

#include <stdexcept>

namespace smtpx::net {

std::vector<Poco::Net::SocketAddress> resolve(const Endpoint& endpoint)
{
	if (auto literal = literalAddress(endpoint)) return {*literal};
	std::vector<Poco::Net::SocketAddress> addresses;
	try
	{
		// Named, not a temporary: the range-for would outlive a temporary HostEntry's addresses.
		Poco::Net::HostEntry entry = Poco::Net::DNS::hostByName(endpoint.host);
		for (const auto& address : entry.addresses()) addresses.emplace_back(address, endpoint.port);
	}
	catch (const Poco::Exception& e)
	{
		throw std::runtime_error("cannot resolve host name '" + endpoint.host + "': " + e.message());
	}
	if (addresses.empty()) throw std::runtime_error("host name '" + endpoint.host + "' has no address");
	return addresses;
}

std::optional<Poco::Net::SocketAddress> literalAddress(const Endpoint& endpoint)
{
	Poco::Net::IPAddress literal;
	if (!Poco::Net::IPAddress::tryParse(endpoint.host, literal)) return std::nullopt;
	return Poco::Net::SocketAddress(literal, endpoint.port);
}

} // namespace smtpx::net
