// Session: the state behind one `session` userdata — its connection, the reply parser and the
// replies read but not yet expected, and which script thread (if any) waits on it. State that must
// survive a yield lives here, never in a binding's C++ locals.
#pragma once

#include "lua/LuaHeaders.h"
#include "lua/Scheduler.h"
#include "net/Connection.h"
#include "net/LineReader.h"
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
	};

	// Unread replies kept at most; a server that sends more without being asked is broken.
	static constexpr std::size_t kMaxQueuedReplies = 1000;
	// send() waits for the socket above this much unsent output, so memory stays bounded.
	static constexpr std::size_t kHighWater = 1 << 20;

	Session(Engine& engine, Scheduler::RunId run, std::string label, double replyTimeout);
	~Session() override;

	// Starts connecting; `waiter` is resumed with (true) or (false, reason).
	void connect(std::vector<Poco::Net::SocketAddress> addresses, double timeout, lua_State* waiter);

	// Queues bytes for the server as they are (the binding writes the transcript).
	void write(std::string_view bytes);
	bool mustWaitForDrain() const { return _connection.pendingOutput() > kHighWater; }
	void waitForDrain(lua_State* waiter);

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
	enum class Wait { None, Connect, Reply, Drain };

	void onConnected() override;
	void onConnectFailed(const std::string& reason) override;
	void onBytes(std::string_view bytes) override;
	void onClosed(const std::string& reason) override;
	void onDrained() override;

	void readLines();
	void acceptLine(const std::string& line, bool bareLf);
	void setFailure(std::string kind, std::string message);
	void wakeWithOutcome();
	lua_State* takeWaiter(Wait kind);
	void cancelTimer();
	// Pushes (reply) or (nil, kind, message) for the next outcome onto L and consumes it.
	int pushOutcome(lua_State* L);

	Engine& _engine;
	Scheduler::RunId _run;
	std::size_t _closerKey;
	report::SessionLog _log;
	net::Connection _connection;
	net::LineReader _reader;
	smtp::ReplyParser _parser;
	std::deque<TimedReply> _replies;
	std::optional<std::pair<std::string, std::string>> _failure;  // kind, message: sticky
	double _replyTimeout;
	net::EventLoop::Clock::time_point _lastWrite;
	lua_State* _waiter = nullptr;
	Wait _wait = Wait::None;
	net::EventLoop::TimerId _timer = 0;
	bool _bareLfNoted = false;
};

// Pushes a reply as the Lua table scripts see: {code=, enhanced=, lines=, texts=, text=, elapsed=}.
void pushReply(lua_State* L, const smtp::Reply& reply, double elapsed);

} // namespace smtpx::lua
