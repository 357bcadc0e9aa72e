#include "lua/Session.h"

#include "lua/Engine.h"

#include <chrono>

namespace smtpx::lua {

namespace {

std::chrono::steady_clock::duration seconds(double value)
{
	return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(value));
}

void pushStringList(lua_State* L, const std::vector<std::string>& items)
{
	lua_createtable(L, static_cast<int>(items.size()), 0);
	for (std::size_t i = 0; i < items.size(); ++i)
	{
		lua_pushlstring(L, items[i].data(), items[i].size());
		lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
	}
}

} // namespace

void pushReply(lua_State* L, const smtp::Reply& reply, double elapsed)
{
	lua_createtable(L, 0, 7);
	lua_pushinteger(L, reply.code);
	lua_setfield(L, -2, "code");
	if (!reply.enhanced.empty())
	{
		lua_pushstring(L, reply.enhanced.c_str());
		lua_setfield(L, -2, "enhanced");
	}
	pushStringList(L, reply.lines);
	lua_setfield(L, -2, "lines");
	pushStringList(L, reply.texts);
	lua_setfield(L, -2, "texts");
	std::string text = reply.text();
	lua_pushlstring(L, text.data(), text.size());
	lua_setfield(L, -2, "text");
	lua_pushnumber(L, elapsed);
	lua_setfield(L, -2, "elapsed");
}

Session::Session(Engine& engine, Scheduler::RunId run, std::string label, double replyTimeout):
	_engine(engine),
	_run(run),
	_log(engine.transcript(), std::move(label)),
	_connection(engine.loop(), *this),
	_replyTimeout(replyTimeout),
	_lastWrite(net::EventLoop::Clock::now())
{
	_closerKey = engine.scheduler().addCloser(run, [this] { close("script ended"); });
}

Session::~Session()
{
	cancelTimer();
	_engine.scheduler().removeCloser(_run, _closerKey);
}

void Session::connect(std::vector<Poco::Net::SocketAddress> addresses, double timeout, lua_State* waiter)
{
	_waiter = waiter;
	_wait = Wait::Connect;
	_connection.connect(std::move(addresses), seconds(timeout));
}

void Session::onConnected()
{
	_lastWrite = net::EventLoop::Clock::now();
	_log.info("Connected to " + _connection.peerAddress() + ".");
	if (lua_State* waiter = takeWaiter(Wait::Connect))
	{
		lua_pushboolean(waiter, 1);
		_engine.scheduler().resume(waiter, 1);
	}
}

void Session::onConnectFailed(const std::string& reason)
{
	if (lua_State* waiter = takeWaiter(Wait::Connect))
	{
		lua_pushboolean(waiter, 0);
		lua_pushstring(waiter, reason.c_str());
		_engine.scheduler().resume(waiter, 2);
	}
}

void Session::write(std::string_view bytes)
{
	_lastWrite = net::EventLoop::Clock::now();
	_connection.write(bytes);
}

void Session::waitForDrain(lua_State* waiter)
{
	_waiter = waiter;
	_wait = Wait::Drain;
}

void Session::onDrained()
{
	if (lua_State* waiter = takeWaiter(Wait::Drain)) _engine.scheduler().resume(waiter, 0);
}

void Session::onBytes(std::string_view bytes)
{
	if (_failure) return;  // after a protocol error the rest of the stream means nothing
	try
	{
		_reader.append(bytes);
	}
	catch (const net::LineTooLong& e)
	{
		setFailure("protocol", e.what());
	}
	readLines();
	wakeWithOutcome();
}

void Session::readLines()
{
	std::string line;
	bool bareLf = false;
	while (!_failure && _reader.nextLine(line, bareLf)) acceptLine(line, bareLf);
}

void Session::acceptLine(const std::string& line, bool bareLf)
{
	_log.server(line);
	if (bareLf && !_bareLfNoted)
	{
		_bareLfNoted = true;
		_log.info("server ends lines with a bare LF, not CRLF");
	}
	try
	{
		if (auto reply = _parser.feed(line))
		{
			if (_replies.size() >= kMaxQueuedReplies)
			{
				setFailure("protocol", "server sent more than " + std::to_string(kMaxQueuedReplies) +
					" replies that nobody asked for");
				return;
			}
			double elapsed = std::chrono::duration<double>(net::EventLoop::Clock::now() - _lastWrite).count();
			_replies.push_back({std::move(*reply), elapsed});
		}
	}
	catch (const smtp::ProtocolError& e)
	{
		setFailure("protocol", e.what());
	}
}

void Session::setFailure(std::string kind, std::string message)
{
	_log.error(message);
	_failure.emplace(std::move(kind), std::move(message));
	// Stop reading: a hostile server must not make us buffer or parse any more of its stream.
	_connection.close();
}

void Session::onClosed(const std::string& reason)
{
	_log.info(reason);
	if (!_failure) _failure.emplace("eof", reason);
	wakeWithOutcome();
	if (lua_State* waiter = takeWaiter(Wait::Drain)) _engine.scheduler().resume(waiter, 0);
}

bool Session::takeOutcome(lua_State* L)
{
	if (_replies.empty() && !_failure) return false;
	pushOutcome(L);
	return true;
}

int Session::pushOutcome(lua_State* L)
{
	if (!_replies.empty())
	{
		pushReply(L, _replies.front().reply, _replies.front().elapsed);
		_replies.pop_front();
		return 1;
	}
	// The failure stays: every later expect meets the same end of stream.
	lua_pushnil(L);
	lua_pushstring(L, _failure->first.c_str());
	lua_pushstring(L, _failure->second.c_str());
	return 3;
}

void Session::waitForReply(lua_State* waiter, double timeout)
{
	_waiter = waiter;
	_wait = Wait::Reply;
	_timer = _engine.loop().startTimer(seconds(timeout), [this, timeout] {
		_timer = 0;
		lua_State* waiter = takeWaiter(Wait::Reply);
		if (!waiter) return;
		char text[96];
		std::snprintf(text, sizeof text, "no complete reply within %g s", timeout);
		_log.error(text);
		lua_pushnil(waiter);
		lua_pushstring(waiter, "timeout");
		lua_pushstring(waiter, text);
		_engine.scheduler().resume(waiter, 3);
	});
}

void Session::wakeWithOutcome()
{
	if (_wait != Wait::Reply || (_replies.empty() && !_failure)) return;
	lua_State* waiter = takeWaiter(Wait::Reply);
	int n = pushOutcome(waiter);
	_engine.scheduler().resume(waiter, n);
}

lua_State* Session::takeWaiter(Wait kind)
{
	if (_wait != kind) return nullptr;
	lua_State* waiter = _waiter;
	_waiter = nullptr;
	_wait = Wait::None;
	cancelTimer();
	lua_checkstack(waiter, 4);
	return waiter;
}

void Session::cancelTimer()
{
	if (_timer) _engine.loop().cancelTimer(_timer);
	_timer = 0;
}

void Session::close(const std::string& why)
{
	if (!_failure) _failure.emplace("eof", "the session was closed (" + why + ")");
	if (!_connection.isOpen()) return;
	_connection.close();
	_log.info("Connection closed (" + why + ").");
}

} // namespace smtpx::lua
