#include "net/Resolver.h"

#include <Poco/Net/DNS.h>
#include <Poco/Net/HostEntry.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetException.h>

#include <stdexcept>

namespace smtpx::net {

std::vector<Poco::Net::SocketAddress> resolve(const Endpoint& endpoint)
{
	Poco::Net::IPAddress literal;
	if (Poco::Net::IPAddress::tryParse(endpoint.host, literal)) return {Poco::Net::SocketAddress(literal, endpoint.port)};
	std::vector<Poco::Net::SocketAddress> addresses;
	try
	{
		for (const auto& address : Poco::Net::DNS::hostByName(endpoint.host).addresses())
			addresses.emplace_back(address, endpoint.port);
	}
	catch (const Poco::Exception& e)
	{
		throw std::runtime_error("cannot resolve host name '" + endpoint.host + "': " + e.message());
	}
	if (addresses.empty()) throw std::runtime_error("host name '" + endpoint.host + "' has no address");
	return addresses;
}

} // namespace smtpx::net
