// Session: the state behind one `session` userdata — its connection, the reply parser and the
// replies read but not yet expected, and which script thread (if any) waits on it. State that must
// survive a wait lives here, never in a binding's C++ locals.
#pragma once

#include "lua/LuaHeaders.h"
#include "lua/Scheduler.h"
#include "net/Connection.h"
#include "net/Endpoint.h"
#include "net/HostResolver.h"
#include "net/LineReader.h"
#include "net/TlsOptions.h"
#include "report/Transcript.h"
#include "smtp/Reply.h"
#include "smtp/ReplyParser.h"

#include <deque>
#include <optional>
#include <string>

namespace smtpx::lua {

class Engine;

class Session : private net::Connection::Listener
{
public:
	// A reply and when it completed, in seconds since the client last wrote.
	struct TimedReply
	{
		smtp::Reply reply;
		double elapsed;
		std::size_t bytes;  // of its lines, counted against kMaxQueuedBytes
		bool unasked;       // it came when no command of ours awaited a reply
	};

	// Unread replies kept at most; a server that sends more without being asked is broken.
	static constexpr std::size_t kMaxQueuedReplies = 1000;
	// ... and at most this many bytes of them (the parser allows 1 MiB per reply).
	static constexpr std::size_t kMaxQueuedBytes = 4 << 20;
	// send() waits for the socket above this much unsent output, so memory stays bounded.
	static constexpr std::size_t kHighWater = 1 << 20;

	Session(Engine& engine, Scheduler::RunId run, std::string label, double replyTimeout);
	~Session() override;

	// Starts connecting to `endpoint`, a host name looked up first (off the loop's thread, within
	// `timeout`); `waiter` is resumed with (true) or (false, reason, kind), kind "resolve" (the
	// name has no address), "connect" or "tls". With `implicitTls` the TLS handshake comes first
	// (SMTPS, port 465).
	void connect(const net::Endpoint& endpoint, double timeout, lua_State* waiter,
		const std::optional<net::TlsOptions>& implicitTls = std::nullopt);

	// STARTTLS, once the server said 220: upgrades the connection in place within `timeout`;
	// `waiter` is resumed with (true) or (false, reason). Throws std::invalid_argument for
	// options no TLS context can be made of.
	void startTls(const net::TlsOptions& options, double timeout, lua_State* waiter);
	// What the server sent after the reply that allowed STARTTLS and before TLS began: plain text
	// a man in the middle may have injected to be taken as sent inside TLS (CVE-2011-0411).
	// Empty when nothing was.
	std::string plaintextBeforeTls() const;
	const net::TlsInfo* tlsInfo() const { return _connection.tlsInfo(); }
	const std::string& host() const { return _host; }

	// Queues bytes for the server as they are (the binding writes the transcript).
	// `repliesAsked`: how many replies these bytes ask for. A reply that comes when none is owed
	// (the greeting is) is an early talker's or a broken pipelining server's: the script meets it
	// as a protocol error instead of taking it for the answer to its next command.
	void write(std::string_view bytes, std::size_t repliesAsked);
	bool mustWaitForDrain() const { return _connection.pendingOutput() > kHighWater; }
	// `waiter` is resumed with nothing once the output drained (or the connection ended), or with
	// (kind, message) when the server took none of it for `timeout` seconds.
	void waitForDrain(lua_State* waiter, double timeout);
	// Why the session ended (kind, message), once it did.
	const std::optional<std::pair<std::string, std::string>>& failure() const { return _failure; }

	// When a reply (or the end of the stream) is at hand, takes it and returns true; otherwise
	// records `waiter`, to be resumed with what pushOutcome() pushes, and returns false.
	bool takeOutcome(lua_State* L);
	void waitForReply(lua_State* waiter, double timeout);

	void close(const std::string& why);
	void halfClose() { _connection.shutdownSend(); }
	bool isOpen() const { return _connection.isOpen(); }

	report::SessionLog& log() { return _log; }
	double replyTimeout() const { return _replyTimeout; }
	void setReplyTimeout(double seconds) { _replyTimeout = seconds; }
	std::string peerAddress() const { return _connection.peerAddress(); }
	std::string localAddress() const { return _connection.localAddress(); }
	std::size_t queuedReplies() const { return _replies.size(); }

private:
	enum class Wait { None, Connect, Reply, Drain, Tls };

	void connectTo(std::vector<Poco::Net::SocketAddress> addresses, double timeout,
		const std::optional<net::TlsOptions>& implicitTls);
	void resumeConnectFailed(const std::string& reason, const char* kind);
	void onConnected() override;
	void onConnectFailed(const std::string& reason) override;
	void onBytes(std::string_view bytes) override;
	void onClosed(const std::string& reason) override;
	void onDrained() override;
	void onTlsEstablished() override;
	void onTlsFailed(const std::string& reason) override;

	void noteTlsStarted();
	void endTlsWait(const std::string& reason);

	void readLines();
	void acceptLine(const std::string& line, bool bareLf);
	void setFailure(std::string kind, std::string message);
	void queueReply(smtp::Reply reply);
	// For a timeout message: what of the next reply came, if anything.
	std::string describeUnfinished() const;
	void wakeWithOutcome();
	void wakeAfterEnd();
	lua_State* takeWaiter(Wait kind);
	void cancelTimer();
	// Pushes (reply) or (nil, kind, message) for the next outcome onto L and consumes it.
	int pushOutcome(lua_State* L);

	Engine& _engine;
	Scheduler::RunId _run;
	std::size_t _closerKey;
	report::SessionLog _log;
	std::string _host;
	bool _tlsInsecure = false;
	net::Connection _connection;
	net::LineReader _reader;
	smtp::ReplyParser _parser;
	std::deque<TimedReply> _replies;
	std::optional<std::pair<std::string, std::string>> _failure;  // kind, message: sticky
	double _replyTimeout;
	net::EventLoop::Clock::time_point _lastWrite;
	net::HostResolver::RequestId _lookup = 0;  // while the host name is looked up
	lua_State* _waiter = nullptr;
	Wait _wait = Wait::None;
	net::EventLoop::TimerId _timer = 0;
	bool _bareLfNoted = false;
	std::size_t _repliesOwed = 1;  // the greeting, then one per command line sent
	std::size_t _queuedBytes = 0;
};

} // namespace smtpx::lua
