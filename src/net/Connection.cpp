#include "net/Connection.h"

#include "net/TlsModule.h"

#include <Poco/Net/NetException.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <sys/resource.h>

namespace smtpx::net {


namespace {

// Read in slices so one busy connection cannot starve the others on the loop.
constexpr std::size_t kReadSlice = 16 * 1024;
constexpr int kMaxReadsPerEvent = 4;

std::string describeErrno(int err)
{
	return err ? std::string(std::strerror(err)) : std::string("unknown error");
}

// Many sessions at once can run out of descriptors: say which limit and how to raise it.
std::string descriptorLimitHint(int err)
{
	if (err != EMFILE && err != ENFILE) return {};
	rlimit limit{};
	getrlimit(RLIMIT_NOFILE, &limit);
	return " (open-file limit " + std::to_string(limit.rlim_cur) + " reached: raise the hard limit, e.g. ulimit -Hn " +
		std::to_string(limit.rlim_cur * 2) + ", or run fewer sessions at once with --parallel)";
}

} // namespace

Connection::Connection(EventLoop& loop, Listener& listener):
	_loop(loop),
	_listener(listener)
{
}

Connection::~Connection()
{
	close();
}

void Connection::adopt(Poco::Net::StreamSocket socket)
{
	_socket = std::move(socket);
	_socket.setBlocking(false);
	_state = State::Open;
	updateWatch();
	deferSafely([this] { _listener.onConnected(); });
}

void Connection::connect(std::vector<Poco::Net::SocketAddress> addresses, EventLoop::Clock::duration timeout)
{
	_addresses = std::move(addresses);
	_nextAddress = 0;
	_connectTimeout = timeout;
	_state = State::Connecting;
	deferSafely([this] { tryNextAddress(); });
}

void Connection::connectTls(std::vector<Poco::Net::SocketAddress> addresses, EventLoop::Clock::duration timeout,
	const TlsOptions& options)
{
	useTls(options, timeout);
	_implicitTls = true;
	connect(std::move(addresses), timeout);
}

void Connection::startTls(const TlsOptions& options, EventLoop::Clock::duration timeout)
{
	if (_state != State::Open) throw std::logic_error("cannot start TLS: the connection is not open");
	if (_tls) throw std::logic_error("cannot start TLS: TLS is already active");
	if (pendingOutput() > 0) throw std::logic_error("cannot start TLS: earlier output is still being sent");
	useTls(options, timeout);
	// Whatever the server sends from here on must be TLS: no plain byte is read any more.
	unwatch();
	_state = State::Handshaking;
	deferSafely([this] { beginHandshake(); });
}

void Connection::useTls(const TlsOptions& options, EventLoop::Clock::duration timeout)
{
	_tlsContext = TlsModule::provider().context(options);
	_tlsOptions = options;
	_handshakeTimeout = timeout;
}

const TlsInfo* Connection::tlsInfo() const
{
	return _tlsAccepted ? &_tls->info() : nullptr;
}

void Connection::tryNextAddress()
{
	if (_state != State::Connecting) return;
	if (_nextAddress >= _addresses.size())
	{
		_state = State::Closed;
		_listener.onConnectFailed(_lastConnectError.empty() ? "no address to connect to" : _lastConnectError);
		return;
	}
	const auto& address = _addresses[_nextAddress++];
	try
	{
		_socket = Poco::Net::StreamSocket(address.family());
		_socket.connectNB(address);  // makes the socket non-blocking first
		_socket.setNoDelay(true);
	}
	catch (const Poco::Exception& e)
	{
		connectAttemptFailed(address.toString() + ": " + e.displayText() + descriptorLimitHint(errno));
		return;
	}
	_connectTimer = _loop.startTimer(_connectTimeout, [this, &address] {
		_connectTimer = 0;
		connectAttemptFailed(address.toString() + ": connect timed out");
	});
	_watched = true;
	_loop.watch(_socket, *this, false, true);
}

void Connection::connectAttemptFailed(const std::string& reason)
{
	cancelTimer(_connectTimer);
	unwatch();
	_socket.close();
	_lastConnectError = reason;
	tryNextAddress();
}

void Connection::cancelTimer(EventLoop::TimerId& timer)
{
	if (timer) _loop.cancelTimer(timer);
	timer = 0;
}

void Connection::finishConnect()
{
	int err = _socket.impl()->socketError();
	if (err)
	{
		connectAttemptFailed(_addresses[_nextAddress - 1].toString() + ": " + describeErrno(err));
		return;
	}
	cancelTimer(_connectTimer);
	if (_implicitTls)
	{
		unwatch();
		_state = State::Handshaking;
		beginHandshake();
		return;
	}
	_state = State::Open;
	updateWatch();
	_listener.onConnected();
}

void Connection::beginHandshake()
{
	if (_state != State::Handshaking) return;
	try
	{
		_tls = TlsModule::provider().open(_socket, *_tlsContext, _tlsOptions->serverName);
	}
	catch (const TlsError& e)
	{
		failTls(e.what());
		return;
	}
	// The TLS socket has the same descriptor; the loop now watches it instead of the plain one.
	_socket = _tls->socket();
	_handshakeTimer = _loop.startTimer(_handshakeTimeout, [this] {
		_handshakeTimer = 0;
		failTls("TLS handshake timed out after " + EventLoop::describe(_handshakeTimeout));
	});
	advanceHandshake();
}

void Connection::advanceHandshake()
{
	SecureChannel::Step step;
	try
	{
		step = _tls->advance();
	}
	catch (const TlsError& e)
	{
		failTls(e.what());
		return;
	}
	if (step == SecureChannel::Step::Done)
	{
		finishHandshake();
		return;
	}
	_watched = true;
	_loop.watch(_socket, *this, step == SecureChannel::Step::WantRead, step == SecureChannel::Step::WantWrite);
}

void Connection::finishHandshake()
{
	cancelTimer(_handshakeTimer);
	const TlsInfo& info = _tls->info();
	if (!info.verified && !_tlsOptions->insecure)
	{
		failTls("TLS: " + info.verifyError);
		return;
	}
	_tlsAccepted = true;
	_state = State::Open;
	updateWatch();
	if (_implicitTls)
		_listener.onConnected();
	else
		_listener.onTlsEstablished();
}

void Connection::failTls(const std::string& reason)
{
	close();
	_listener.onTlsFailed(reason);
}

void Connection::write(std::string_view bytes)
{
	if (_state != State::Open) return;
	if (_outputSent == _output.size())
	{
		_output.clear();
		_outputSent = 0;
	}
	_output.append(bytes);
	flushOutput();
	if (pendingOutput() > kLowWater) _aboveLowWater = true;
}

int Connection::sendSome(const char* data, int length)
{
	if (_tls) return _tls->send(data, length);
	try
	{
		return _socket.sendBytes(data, length);
	}
	catch (const Poco::IOException& e)
	{
		// POCO 1.11 throws when a non-blocking socket's buffer is full; that only means "later".
		if (e.code() == EAGAIN || e.code() == EWOULDBLOCK) return 0;
		throw;
	}
}

void Connection::flushOutput()
{
	while (_state == State::Open && pendingOutput() > 0)
	{
		int sent;
		try
		{
			sent = sendSome(_output.data() + _outputSent, static_cast<int>(pendingOutput()));
		}
		catch (const Poco::Exception& e)
		{
			_output.clear();
			_outputSent = 0;
			deferSafely([this, reason = "send failed: " + e.displayText()] { fail(reason); });
			return;
		}
		if (sent == SecureChannel::kWantRead) _sendWaitsForRead = true;
		// Otherwise the socket (or TLS: kWantWrite) takes no more until it is writable.
		if (sent <= 0) break;
		_outputSent += static_cast<std::size_t>(sent);
	}
	if (_state != State::Open) return;
	if (pendingOutput() == 0 && _shutdownRequested)
	{
		_shutdownRequested = false;
		if (_tls)
		{
			_tls->shutdownSend();
		}
		else
		{
			try { _socket.shutdownSend(); } catch (const Poco::Exception&) {}
		}
	}
	updateWatch();
}

void Connection::updateWatch()
{
	if (_state != State::Open) return;
	bool writable = (pendingOutput() > 0 && !_sendWaitsForRead) || _receiveWaitsForWrite;
	_watched = true;
	_loop.watch(_socket, *this, true, writable);
}

void Connection::unwatch()
{
	if (_watched) _loop.unwatch(_socket);
	_watched = false;
}

void Connection::shutdownSend()
{
	_shutdownRequested = true;
	flushOutput();
}

void Connection::onWritable()
{
	if (_state == State::Connecting)
	{
		finishConnect();
		return;
	}
	if (_state == State::Handshaking)
	{
		advanceHandshake();
		return;
	}
	if (_receiveWaitsForWrite)
	{
		_receiveWaitsForWrite = false;
		readInput();
	}
	flushOutput();
	if (_aboveLowWater && pendingOutput() <= kLowWater)
	{
		_aboveLowWater = false;
		_listener.onDrained();
	}
}

void Connection::onReadable()
{
	if (_state == State::Connecting)
	{
		finishConnect();
		return;
	}
	if (_state == State::Handshaking)
	{
		advanceHandshake();
		return;
	}
	if (_sendWaitsForRead)
	{
		_sendWaitsForRead = false;
		flushOutput();
	}
	readInput();
}

int Connection::receiveSome(char* buffer, int length)
{
	return _tls ? _tls->receive(buffer, length) : _socket.receiveBytes(buffer, length);
}

void Connection::readInput()
{
	std::array<char, kReadSlice> buffer;
	for (int i = 0; i < kMaxReadsPerEvent && _state == State::Open; ++i)
	{
		int received;
		try
		{
			received = receiveSome(buffer.data(), static_cast<int>(buffer.size()));
		}
		catch (const Poco::Exception& e)
		{
			fail("receive failed: " + e.displayText());
			return;
		}
		if (received == SecureChannel::kWantWrite)
		{
			_receiveWaitsForWrite = true;
			updateWatch();
			return;
		}
		// Nothing more for now (the plain socket would block, or TLS: kWantRead).
		if (received < 0) break;
		if (received == 0)
		{
			fail("connection closed by server");
			return;
		}
		_listener.onBytes(std::string_view(buffer.data(), static_cast<std::size_t>(received)));
		if (static_cast<std::size_t>(received) < buffer.size()) break;
	}
	// Plain text OpenSSL already decrypted does not make the socket readable again.
	if (_tls && _state == State::Open && _tls->hasBufferedInput()) deferSafely([this] { readInput(); });
}

std::size_t Connection::unreadInput() const
{
	if (_state != State::Open) return 0;
	try
	{
		int available = _socket.available();
		return available > 0 ? static_cast<std::size_t>(available) : 0;
	}
	catch (const Poco::Exception&)
	{
		return 0;
	}
}

void Connection::fail(const std::string& reason)
{
	if (_state != State::Open) return;
	close();
	_listener.onClosed(reason);
}

void Connection::deferSafely(std::function<void()> fn)
{
	_loop.defer([alive = std::weak_ptr<int>(_lifeToken), fn = std::move(fn)] {
		if (alive.lock()) fn();
	});
}

void Connection::close()
{
	cancelTimer(_connectTimer);
	cancelTimer(_handshakeTimer);
	unwatch();
	if (_state != State::Idle && _state != State::Closed)
	{
		if (_tls)
			_tls->close();
		else
			_socket.close();
	}
	_state = State::Closed;
}

std::string Connection::peerAddress() const
{
	try { return _socket.peerAddress().toString(); } catch (const Poco::Exception&) { return {}; }
}

std::string Connection::localAddress() const
{
	try { return _socket.address().toString(); } catch (const Poco::Exception&) { return {}; }
}

} // namespace smtpx::net
