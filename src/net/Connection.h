// Connection: one non-blocking TCP client connection on an EventLoop, plain or TLS (implicit, or
// upgraded in place after STARTTLS).
#pragma once

#include "net/EventLoop.h"
#include "net/IoHandler.h"
#include "net/SecureChannel.h"
#include "net/TlsOptions.h"
#include "net/TlsProvider.h"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <functional>
#include <memory>
#include <optional>
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
		// TCP is up; with connectTls(), the handshake is done and the certificate accepted too.
		virtual void onConnected() = 0;
		virtual void onConnectFailed(const std::string& reason) = 0;
		virtual void onBytes(std::string_view bytes) = 0;
		// The peer closed (reason "connection closed by server") or the socket failed.
		virtual void onClosed(const std::string& reason) = 0;
		// The output buffer fell to or below the low-water mark after being above it.
		virtual void onDrained() {}
		// The handshake startTls() began is done and the certificate accepted.
		virtual void onTlsEstablished() {}
		// A handshake failed, timed out or met a certificate it must not accept; the connection is
		// closed. With connectTls() this comes instead of onConnected().
		virtual void onTlsFailed(const std::string& reason) { onClosed(reason); }
	};

	static constexpr std::size_t kLowWater = 64 * 1024;

	Connection(EventLoop& loop, Listener& listener);
	~Connection() override;
	Connection(const Connection&) = delete;
	Connection& operator=(const Connection&) = delete;

	// Takes a connection a net::Listener accepted: open at once, onConnected() from the loop.
	void adopt(Poco::Net::StreamSocket socket);
	// Tries each address in turn, each within `timeout`, until one accepts.
	void connect(std::vector<Poco::Net::SocketAddress> addresses, EventLoop::Clock::duration timeout);
	// Implicit TLS (SMTPS): connect() followed by a TLS handshake within `timeout`, before
	// onConnected(). Throws std::invalid_argument for options no TLS context can be made of.
	void connectTls(std::vector<Poco::Net::SocketAddress> addresses, EventLoop::Clock::duration timeout,
		const TlsOptions& options);
	// STARTTLS: from now on the connection reads no plain byte; a TLS handshake starts on the
	// open socket and ends in onTlsEstablished() or onTlsFailed(), within `timeout`. Throws
	// std::logic_error unless the connection is open, plain and has sent all its output, and
	// std::invalid_argument for options no TLS context can be made of.
	void startTls(const TlsOptions& options, EventLoop::Clock::duration timeout);
	// Facts of the TLS session, once the handshake is done and the certificate accepted (they stay
	// after close()); null before.
	const TlsInfo* tlsInfo() const;

	// Queues bytes and sends what the socket takes now; the rest goes as it becomes writable.
	void write(std::string_view bytes);
	std::size_t pendingOutput() const { return _output.size() - _outputSent; }
	// Bytes received and not read yet (before STARTTLS: what the server must not have sent).
	std::size_t unreadInput() const;

	// Half-closes after the queued output is sent (servers like Exim answer QUIT at once then).
	void shutdownSend();
	void close();
	bool isOpen() const { return _state == State::Open; }

	std::string peerAddress() const;
	std::string localAddress() const;

private:
	enum class State { Idle, Connecting, Handshaking, Open, Closed };

	void onReadable() override;
	void onWritable() override;
	void tryNextAddress();
	void connectAttemptFailed(const std::string& reason);
	void finishConnect();
	void useTls(const TlsOptions& options, EventLoop::Clock::duration timeout);
	void beginHandshake();
	void advanceHandshake();
	void finishHandshake();
	void failTls(const std::string& reason);
	void readInput();
	int receiveSome(char* buffer, int length);
	int sendSome(const char* data, int length);
	void flushOutput();
	void updateWatch();
	void unwatch();
	void fail(const std::string& reason);
	void cancelTimer(EventLoop::TimerId& timer);
	// Defers a call that must not happen once this connection is gone.
	void deferSafely(std::function<void()> fn);

	EventLoop& _loop;
	Listener& _listener;
	Poco::Net::StreamSocket _socket;  // after the handshake, the TLS channel's socket
	State _state = State::Idle;
	std::vector<Poco::Net::SocketAddress> _addresses;
	std::size_t _nextAddress = 0;
	std::string _lastConnectError;
	EventLoop::Clock::duration _connectTimeout{};
	EventLoop::TimerId _connectTimer = 0;
	std::optional<TlsOptions> _tlsOptions;
	std::shared_ptr<TlsContextHandle> _tlsContext;
	EventLoop::Clock::duration _handshakeTimeout{};
	EventLoop::TimerId _handshakeTimer = 0;
	bool _implicitTls = false;
	std::unique_ptr<SecureChannel> _tls;
	bool _tlsAccepted = false;
	// TLS may need the other direction first: a write may wait for readability, a read for
	// writability.
	bool _sendWaitsForRead = false;
	bool _receiveWaitsForWrite = false;
	std::string _output;
	std::size_t _outputSent = 0;
	bool _aboveLowWater = false;
	bool _shutdownRequested = false;
	bool _watched = false;
	std::shared_ptr<int> _lifeToken = std::make_shared<int>(0);
};

} // namespace smtpx::net
