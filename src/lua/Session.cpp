#include "lua/Session.h"

#include "lua/Engine.h"
#include "lua/ReplyTable.h"
#include "net/Resolver.h"

#include <chrono>

namespace smtpx::lua {

namespace {

std::chrono::steady_clock::duration seconds(double value)
{
	return net::EventLoop::delay(value);
}

} // namespace

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
	if (_lookup) _engine.resolver().cancel(_lookup);
	_engine.scheduler().removeCloser(_run, _closerKey);
}

void Session::connect(const net::Endpoint& endpoint, double timeout, lua_State* waiter,
	const std::optional<net::TlsOptions>& implicitTls)
{
	_host = endpoint.host;
	if (auto literal = net::literalAddress(endpoint))
	{
		connectTo({*literal}, timeout, implicitTls);
	}
	else
	{
		auto found = [this, timeout, implicitTls](net::HostResolver::Addresses addresses, const std::string& error) {
			_lookup = 0;
			if (addresses.empty())
				resumeConnectFailed(error, "resolve");
			else
				connectTo(std::move(addresses), timeout, implicitTls);
		};
		_lookup = _engine.resolver().lookup(endpoint, seconds(timeout), std::move(found));
	}
	_waiter = waiter;
	_wait = Wait::Connect;
}

void Session::connectTo(std::vector<Poco::Net::SocketAddress> addresses, double timeout,
	const std::optional<net::TlsOptions>& implicitTls)
{
	if (implicitTls)
	{
		_connection.connectTls(std::move(addresses), seconds(timeout), *implicitTls);
		_tlsInsecure = implicitTls->insecure;
	}
	else
	{
		_connection.connect(std::move(addresses), seconds(timeout));
	}
}

void Session::onConnected()
{
	_lastWrite = net::EventLoop::Clock::now();
	// Asking the socket for its peer is a system call: only for a line someone reads.
	if (_log.recordsInfo()) _log.info("Connected to " + _connection.peerAddress() + ".");
	if (_connection.tlsInfo()) noteTlsStarted();
	if (lua_State* waiter = takeWaiter(Wait::Connect))
	{
		lua_pushboolean(waiter, 1);
		_engine.scheduler().resume(waiter, 1);
	}
}

void Session::onConnectFailed(const std::string& reason)
{
	resumeConnectFailed(reason, "connect");
}

void Session::resumeConnectFailed(const std::string& reason, const char* kind)
{
	if (lua_State* waiter = takeWaiter(Wait::Connect))
	{
		lua_pushboolean(waiter, 0);
		lua_pushstring(waiter, reason.c_str());
		lua_pushstring(waiter, kind);
		_engine.scheduler().resume(waiter, 3);
	}
}

void Session::startTls(const net::TlsOptions& options, double timeout, lua_State* waiter)
{
	_connection.startTls(options, seconds(timeout));
	_tlsInsecure = options.insecure;
	_waiter = waiter;
	_wait = Wait::Tls;
}

std::string Session::plaintextBeforeTls() const
{
	std::size_t bytes = _reader.buffered() + _connection.unreadInput();
	if (_replies.empty() && bytes == 0 && !_parser.inReply()) return {};
	std::string what;
	if (!_replies.empty())
		what = std::to_string(_replies.size()) + " more repl" + (_replies.size() == 1 ? "y" : "ies") + " (\"" +
			_replies.front().reply.lines.front() + "\")";
	else if (_parser.inReply())
		what = "the start of another reply";
	if (bytes) what += (what.empty() ? "" : " and ") + std::to_string(bytes) + " more bytes";
	return "STARTTLS injection: the server sent " + what + " after its go-ahead for STARTTLS, before TLS began; "
		"plain text there may come from an attacker (CVE-2011-0411)";
}

void Session::onTlsEstablished()
{
	noteTlsStarted();
	if (lua_State* waiter = takeWaiter(Wait::Tls))
	{
		lua_pushboolean(waiter, 1);
		_engine.scheduler().resume(waiter, 1);
	}
}

void Session::noteTlsStarted()
{
	const net::TlsInfo& info = *_connection.tlsInfo();
	_log.setTls(true);
	_log.info("TLS started: " + info.version + ", cipher " + info.cipher);
	_log.info("TLS peer certificate: " + info.subject + ", issued by " + info.issuer + ", " +
		std::to_string(info.daysLeft) + " days left");
	if (!_tlsInsecure)
		_log.info("TLS certificate verified for " + info.serverName);
	else if (info.verified)
		_log.info("WARNING: TLS certificate not checked (insecure), though it would have passed");
	else
		_log.info("WARNING: TLS certificate not checked (insecure); it would have failed: " + info.verifyError);
}

void Session::onTlsFailed(const std::string& reason)
{
	_log.error(reason);
	if (!_failure) _failure.emplace("tls", reason);
	if (lua_State* waiter = takeWaiter(Wait::Connect))
	{
		lua_pushboolean(waiter, 0);
		lua_pushstring(waiter, reason.c_str());
		lua_pushliteral(waiter, "tls");
		_engine.scheduler().resume(waiter, 3);
		return;
	}
	endTlsWait(reason);
}

void Session::endTlsWait(const std::string& reason)
{
	if (lua_State* waiter = takeWaiter(Wait::Tls))
	{
		lua_pushboolean(waiter, 0);
		lua_pushstring(waiter, reason.c_str());
		_engine.scheduler().resume(waiter, 2);
	}
}

void Session::write(std::string_view bytes, std::size_t repliesAsked)
{
	_lastWrite = net::EventLoop::Clock::now();
	_repliesOwed += repliesAsked;
	_connection.write(bytes);
}

void Session::waitForDrain(lua_State* waiter, double timeout)
{
	_waiter = waiter;
	_wait = Wait::Drain;
	// A server that stops reading must not hold the script forever (issue #7).
	_timer = _engine.loop().startTimer(seconds(timeout), [this, timeout] {
		_timer = 0;
		lua_State* waiter = takeWaiter(Wait::Drain);
		if (!waiter) return;
		char text[128];
		std::snprintf(text, sizeof text, "the server read none of our output for %g s (%zu bytes unsent)", timeout,
			_connection.pendingOutput());
		_log.error(text);
		lua_pushstring(waiter, "timeout");
		lua_pushstring(waiter, text);
		_engine.scheduler().resume(waiter, 2);
	});
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
		if (auto reply = _parser.feed(line)) queueReply(std::move(*reply));
	}
	catch (const smtp::ProtocolError& e)
	{
		setFailure("protocol", e.what());
	}
}

void Session::queueReply(smtp::Reply reply)
{
	std::size_t bytes = 0;
	for (const auto& line : reply.lines) bytes += line.size();
	if (_replies.size() >= kMaxQueuedReplies || _queuedBytes + bytes > kMaxQueuedBytes)
	{
		setFailure("protocol", "server sent more than " + std::to_string(kMaxQueuedReplies) + " replies or " +
			std::to_string(kMaxQueuedBytes >> 20) + " MiB of them that nobody read");
		return;
	}
	// RFC 5321 3.8: a server may send 421 at any time before it closes; no other reply unasked.
	bool unasked = _repliesOwed == 0 && reply.code != 421;
	if (_repliesOwed > 0) --_repliesOwed;
	double elapsed = std::chrono::duration<double>(net::EventLoop::Clock::now() - _lastWrite).count();
	_queuedBytes += bytes;
	_replies.push_back({std::move(reply), elapsed, bytes, unasked});
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
	wakeAfterEnd();
}

void Session::wakeAfterEnd()
{
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
	if (!_replies.empty() && _replies.front().unasked)
	{
		// Taken as the answer to the script's command, it would shift every later reply by one
		// (and could pass a refused message off as accepted): the session ends here instead.
		std::string line = smtp::quoteLine(_replies.front().reply.lines.front());
		_replies.clear();
		_queuedBytes = 0;
		setFailure("protocol", "the server sent a reply before the command it answers (an early talker, or a broken "
			"pipelining server): " + line);
	}
	if (!_replies.empty())
	{
		pushReply(L, _replies.front().reply, _replies.front().elapsed);
		_queuedBytes -= _replies.front().bytes;
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
		char seconds[32];
		std::snprintf(seconds, sizeof seconds, "%g s", timeout);
		std::string text = std::string("no complete reply within ") + seconds + describeUnfinished();
		_log.error(text);
		lua_pushnil(waiter);
		lua_pushstring(waiter, "timeout");
		lua_pushstring(waiter, text.c_str());
		_engine.scheduler().resume(waiter, 3);
	});
}

std::string Session::describeUnfinished() const
{
	std::string_view tail = _reader.unterminated();
	std::string what = _parser.inReply() ? "the start of a multi-line reply" : "";
	if (!tail.empty()) what += (what.empty() ? "" : ", then ") + smtp::quoteLine(tail) + " without a line end";
	if (tail.find('\r') != std::string_view::npos) what += " (a bare CR ends no line: lines end with CRLF)";
	return what.empty() ? what : "; got only " + what;
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
	// Another task may wait on this session: it meets the end, from the loop (not re-entrantly).
	// The session is freed from the loop too, and later, so `this` is still valid then.
	if (_wait == Wait::Reply || _wait == Wait::Drain) _engine.loop().defer([this] { wakeAfterEnd(); });
	if (_wait == Wait::Tls) _engine.loop().defer([this, reason = _failure->second] { endTlsWait(reason); });
	if (!_connection.isOpen()) return;
	_connection.close();
	_log.info("Connection closed (" + why + ").");
}

} // namespace smtpx::lua
