// Resolver: host names and literal addresses to socket addresses.
#pragma once

#include "net/Endpoint.h"

#include <Poco/Net/SocketAddress.h>

#include <optional>
#include <vector>

namespace smtpx::net {

// Literal IPv4/IPv6 addresses need no lookup. Names go through the system resolver, which blocks
// the calling thread (on the event loop, HostResolver runs this on helper threads). Throws std::runtime_error
// naming the host when nothing resolves.
std::vector<Poco::Net::SocketAddress> resolve(const Endpoint& endpoint);

// The endpoint's address when its host is a literal IPv4 or IPv6 address: nothing to look up.
std::optional<Poco::Net::SocketAddress> literalAddress(const Endpoint& endpoint);

} // namespace smtpx::net
