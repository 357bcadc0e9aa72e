#include "net/SocketPair.h"

#include <Poco/Net/SocketImpl.h>

#include <stdexcept>
#include <string>
#include <sys/socket.h>

namespace smtpx::net {

namespace {

class PairEnd : public Poco::Net::SocketImpl
{
public:
	explicit PairEnd(int fd): SocketImpl(fd) {}
};

class PairSocket : public Poco::Net::Socket
{
public:
	explicit PairSocket(int fd): Socket(new PairEnd(fd)) {}
};

} // namespace

SocketPair SocketPair::make(const char* purpose)
{
	int pair[2];
	if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
		throw std::runtime_error(std::string("cannot ") + purpose + ": socketpair failed");
	return {PairSocket(pair[0]), pair[1]};
}

} // namespace smtpx::net
