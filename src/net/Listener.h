// Listener: a listening TCP socket on an EventLoop (smtpx serve-transcript, smtpx record). It
// accepts connections as they arrive and hands each over as a socket; Connection::adopt() takes it.
#pragma once

#include "net/EventLoop.h"
#include "net/IoHandler.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <functional>

namespace smtpx::net {

class Listener : private IoHandler
{
public:
	using AcceptFn = std::function<void(Poco::Net::StreamSocket)>;

	// Binds (port 0: any free port) and listens. Throws std::runtime_error naming the address
	// when it cannot.
	Listener(EventLoop& loop, const Poco::Net::SocketAddress& address, AcceptFn onAccept);
	~Listener() override;
	Listener(const Listener&) = delete;
	Listener& operator=(const Listener&) = delete;

	// The address it listens on (with the port chosen for port 0).
	Poco::Net::SocketAddress address() const { return _address; }

	// Stops accepting; the loop no longer waits for this socket.
	void close();

private:
	void onReadable() override;
	void onWritable() override {}

	EventLoop& _loop;
	Poco::Net::ServerSocket _socket;
	Poco::Net::SocketAddress _address;
	AcceptFn _onAccept;
	bool _open = false;
};

} // namespace smtpx::net
