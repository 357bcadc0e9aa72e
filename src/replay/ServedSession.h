// ServedSession: one client of `smtpx serve-transcript`. It sends the transcript's replies when
// their turn comes and checks every line the client sends against the recorded one. The first
// difference ends the session: the client gets a 451 naming the transcript line, the log a "***".
#pragma once

#include "net/Connection.h"
#include "net/EventLoop.h"
#include "net/LineReader.h"
#include "replay/Transcript.h"
#include "report/Transcript.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace smtpx::replay {

class ServedSession : private net::Connection::Listener
{
public:
	struct Settings
	{
		std::string name;      // the transcript, in messages
		bool pace = false;     // wait the recorded gap before each reply
		double timeout = 30;   // seconds to wait for each client line
	};

	// `steps` are the transcript's client lines, replies and "! close" events, in order; they must
	// outlive the session. `onEnd` is called from the loop once the session is over.
	ServedSession(net::EventLoop& loop, report::Transcript& log, std::string label, const std::vector<const Step*>& steps,
		const Settings& settings, std::function<void(ServedSession&)> onEnd);
	~ServedSession() override;

	void start(Poco::Net::StreamSocket socket);

	// What went differently from the transcript; nothing when the client followed it.
	const std::optional<std::string>& divergence() const { return _divergence; }
	const std::string& label() const { return _log.label(); }
	// The client's address ("127.0.0.1:40312"); empty until it is known.
	const std::string& peer() const { return _peer; }
	// Lines exchanged: the client's that were checked and the server's that were sent.
	std::size_t lines() const { return _lines; }
	double elapsedSeconds() const { return _log.elapsedMs() / 1000; }

private:
	void onConnected() override;
	void onConnectFailed(const std::string&) override {}
	void onBytes(std::string_view bytes) override;
	void onClosed(const std::string& reason) override;

	void advance();
	void sendReply(const Step& step);
	void closeAfterOutput();
	bool takeLine(const std::string& line);
	void waitForClient();
	void diverge(const std::string& what);
	void end();
	std::string where(const Step& step) const;
	double gapBefore(std::size_t index) const;

	net::EventLoop& _loop;
	report::SessionLog _log;
	const std::vector<const Step*>& _steps;
	Settings _settings;
	std::function<void(ServedSession&)> _onEnd;
	net::Connection _connection;
	net::LineReader _reader;
	std::size_t _next = 0;
	bool _paused = false;   // a paced reply is on its way
	bool _closing = false;  // the transcript is done: wait for the client to go
	bool _ended = false;
	net::EventLoop::TimerId _timer = 0;
	std::optional<std::string> _divergence;
	std::string _peer;
	std::size_t _lines = 0;
};

} // namespace smtpx::replay
