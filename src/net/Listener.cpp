#include "net/Listener.h"

#include <Poco/Net/NetException.h>

#include <stdexcept>
#include <sys/socket.h>

namespace smtpx::net {

namespace {

// Connections taken per readiness event, so a flood of them cannot starve the sessions.
constexpr int kMaxAcceptsPerEvent = 16;

} // namespace

Listener::Listener(EventLoop& loop, const Poco::Net::SocketAddress& address, AcceptFn onAccept):
	_loop(loop),
	_onAccept(std::move(onAccept))
{
	try
	{
		_socket.bind(address, true);
		// A replay of hundreds of transcripts connects all at once: with a short queue the kernel
		// drops the overflow, and those clients wait for SYN-ACK retries (seconds) or in vain.
		_socket.listen(SOMAXCONN);
		_socket.setBlocking(false);
		_address = _socket.address();
	}
	catch (const Poco::Exception& e)
	{
		throw std::runtime_error("cannot listen on " + address.toString() + ": " + e.displayText());
	}
	_open = true;
	_loop.watch(_socket, *this, true, false);
}

Listener::~Listener()
{
	close();
}

void Listener::close()
{
	if (!_open) return;
	_open = false;
	_loop.unwatch(_socket);
	_socket.close();
}

void Listener::onReadable()
{
	for (int i = 0; i < kMaxAcceptsPerEvent && _open; ++i)
	{
		Poco::Net::StreamSocket accepted;
		try
		{
			accepted = _socket.acceptConnection();
		}
		catch (const Poco::Exception&)
		{
			return;  // nothing more to accept now (EAGAIN), or the client gave up already
		}
		_onAccept(std::move(accepted));
	}
}

} // namespace smtpx::net
