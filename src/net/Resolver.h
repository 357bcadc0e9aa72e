// Resolver: host names and literal addresses to socket addresses.
#pragma once

#include "net/Endpoint.h"

#include <Poco/Net/SocketAddress.h>

#include <vector>

namespace smtpx::net {

// Literal IPv4/IPv6 addresses need no lookup. Names go through the system resolver, which blocks
// the calling thread: loopback and /etc/hosts names answer at once. Throws std::runtime_error
// naming the host when nothing resolves.
std::vector<Poco::Net::SocketAddress> resolve(const Endpoint& endpoint);

} // namespace smtpx::net
