// RecordingProxy: `smtpx record` — a transparent SMTP proxy. A person (telnet, swaks, a mail
// client) talks through it to the real server; every session becomes a transcript file of its
// own (RecordedSession), many at once on one event loop.
#pragma once

#include "net/EventLoop.h"
#include "net/Listener.h"
#include "replay/RecordedSession.h"
#include "report/Transcript.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace smtpx::replay {

class RecordingProxy
{
public:
	struct Settings
	{
		RecordedSession::Settings session;
		// The first session writes `out`, the Nth `out` with "-N" before its extension; a
		// directory (or a path ending in '/') gets session-N.smtpx files.
		std::string out;
		std::size_t sessions = 0;  // stop listening after this many (0: never)
	};

	RecordingProxy(net::EventLoop& loop, report::Transcript& log, Settings settings);
	~RecordingProxy();

	// Starts listening; returns the address. Throws std::runtime_error when it cannot listen.
	Poco::Net::SocketAddress listen(const Poco::Net::SocketAddress& address);

	// Called from the loop as each session ends, after its transcript is written (or could not be).
	void onSessionEnd(std::function<void(const RecordedSession&)> callback) { _onSessionEnd = std::move(callback); }

	const std::vector<std::string>& written() const { return _written; }
	const std::vector<std::string>& errors() const { return _errors; }

	// The file of the Nth session (from 1).
	static std::string outFile(const std::string& out, std::size_t n);

private:
	void accept(Poco::Net::StreamSocket socket);
	void ended(RecordedSession& session);

	net::EventLoop& _loop;
	report::Transcript& _log;
	Settings _settings;
	std::unique_ptr<net::Listener> _listener;
	std::map<RecordedSession*, std::unique_ptr<RecordedSession>> _sessions;
	std::size_t _accepted = 0;
	std::vector<std::string> _written;
	std::vector<std::string> _errors;
	std::function<void(const RecordedSession&)> _onSessionEnd;
};

} // namespace smtpx::replay
