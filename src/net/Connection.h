// Connection: one non-blocking TCP (later TLS) client connection on an EventLoop.
#pragma once

#include "net/EventLoop.h"
#include "net/IoHandler.h"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace smtpx::net {

class Connection : private IoHandler
{
public:
	// Callbacks are only ever made from the event loop, never from inside a public method, so a
	// caller can act on a callback without re-entering itself.
	class Listener
	{
	public:
		virtual ~Listener() = default;
		virtual void onConnected() = 0;
		virtual void onConnectFailed(const std::string& reason) = 0;
		virtual void onBytes(std::string_view bytes) = 0;
		// The peer closed (reason "connection closed by server") or the socket failed.
		virtual void onClosed(const std::string& reason) = 0;
		// The output buffer fell to or below the low-water mark after being above it.
		virtual void onDrained() {}
	};

	static constexpr std::size_t kLowWater = 64 * 1024;

	Connection(EventLoop& loop, Listener& listener);
	~Connection() override;
	Connection(const Connection&) = delete;
	Connection& operator=(const Connection&) = delete;

	// Tries each address in turn, each within `timeout`, until one accepts.
	void connect(std::vector<Poco::Net::SocketAddress> addresses, EventLoop::Clock::duration timeout);

	// Queues bytes and sends what the socket takes now; the rest goes as it becomes writable.
	void write(std::string_view bytes);
	std::size_t pendingOutput() const { return _output.size() - _outputSent; }

	// Half-closes after the queued output is sent (servers like Exim answer QUIT at once then).
	void shutdownSend();
	void close();
	bool isOpen() const { return _state == State::Open; }

	std::string peerAddress() const;
	std::string localAddress() const;

private:
	enum class State { Idle, Connecting, Open, Closed };

	void onReadable() override;
	void onWritable() override;
	void tryNextAddress();
	void connectAttemptFailed(const std::string& reason);
	void finishConnect();
	void flushOutput();
	void updateWatch();
	void fail(const std::string& reason);
	void cancelConnectTimer();
	// Defers a call that must not happen once this connection is gone.
	void deferSafely(std::function<void()> fn);

	EventLoop& _loop;
	Listener& _listener;
	Poco::Net::StreamSocket _socket;
	State _state = State::Idle;
	std::vector<Poco::Net::SocketAddress> _addresses;
	std::size_t _nextAddress = 0;
	std::string _lastConnectError;
	EventLoop::Clock::duration _connectTimeout{};
	EventLoop::TimerId _connectTimer = 0;
	std::string _output;
	std::size_t _outputSent = 0;
	bool _aboveLowWater = false;
	bool _shutdownRequested = false;
	bool _watched = false;
	std::shared_ptr<int> _lifeToken = std::make_shared<int>(0);
};

} // namespace smtpx::net
