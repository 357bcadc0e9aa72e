#include "net/Connection.h"

#include <Poco/Net/NetException.h>

#include <array>
#include <cstring>

namespace smtpx::net {

namespace {

// Read in slices so one busy connection cannot starve the others on the loop.
constexpr std::size_t kReadSlice = 16 * 1024;
constexpr int kMaxReadsPerEvent = 4;

std::string describeErrno(int err)
{
	return err ? std::string(std::strerror(err)) : std::string("unknown error");
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

void Connection::connect(std::vector<Poco::Net::SocketAddress> addresses, EventLoop::Clock::duration timeout)
{
	_addresses = std::move(addresses);
	_nextAddress = 0;
	_connectTimeout = timeout;
	_state = State::Connecting;
	deferSafely([this] { tryNextAddress(); });
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
		_socket.setBlocking(false);
		_socket.connectNB(address);
		_socket.setNoDelay(true);
	}
	catch (const Poco::Exception& e)
	{
		connectAttemptFailed(address.toString() + ": " + e.displayText());
		return;
	}
	_connectTimer = _loop.startTimer(_connectTimeout, [this, text = address.toString()] {
		_connectTimer = 0;
		connectAttemptFailed(text + ": connect timed out");
	});
	_watched = true;
	_loop.watch(_socket, *this, false, true);
}

void Connection::connectAttemptFailed(const std::string& reason)
{
	cancelConnectTimer();
	if (_watched) _loop.unwatch(_socket);
	_watched = false;
	_socket.close();
	_lastConnectError = reason;
	tryNextAddress();
}

void Connection::cancelConnectTimer()
{
	if (_connectTimer) _loop.cancelTimer(_connectTimer);
	_connectTimer = 0;
}

void Connection::finishConnect()
{
	int err = _socket.impl()->socketError();
	if (err)
	{
		connectAttemptFailed(_addresses[_nextAddress - 1].toString() + ": " + describeErrno(err));
		return;
	}
	cancelConnectTimer();
	_state = State::Open;
	updateWatch();
	_listener.onConnected();
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

void Connection::flushOutput()
{
	while (_state == State::Open && pendingOutput() > 0)
	{
		int sent;
		try
		{
			sent = _socket.sendBytes(_output.data() + _outputSent, static_cast<int>(pendingOutput()));
		}
		catch (const Poco::Exception& e)
		{
			_output.clear();
			_outputSent = 0;
			deferSafely([this, reason = "send failed: " + e.displayText()] { fail(reason); });
			return;
		}
		if (sent <= 0) break;
		_outputSent += static_cast<std::size_t>(sent);
	}
	if (_state != State::Open) return;
	if (pendingOutput() == 0 && _shutdownRequested)
	{
		_shutdownRequested = false;
		try { _socket.shutdownSend(); } catch (const Poco::Exception&) {}
	}
	updateWatch();
}

void Connection::updateWatch()
{
	if (_state != State::Open) return;
	_watched = true;
	_loop.watch(_socket, *this, true, pendingOutput() > 0);
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
	std::array<char, kReadSlice> buffer;
	for (int i = 0; i < kMaxReadsPerEvent && _state == State::Open; ++i)
	{
		int received;
		try
		{
			received = _socket.receiveBytes(buffer.data(), static_cast<int>(buffer.size()));
		}
		catch (const Poco::Exception& e)
		{
			fail("receive failed: " + e.displayText());
			return;
		}
		if (received < 0) return;
		if (received == 0)
		{
			fail("connection closed by server");
			return;
		}
		_listener.onBytes(std::string_view(buffer.data(), static_cast<std::size_t>(received)));
		if (static_cast<std::size_t>(received) < buffer.size()) return;
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
	cancelConnectTimer();
	if (_watched) _loop.unwatch(_socket);
	_watched = false;
	if (_state != State::Idle) _socket.close();
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
