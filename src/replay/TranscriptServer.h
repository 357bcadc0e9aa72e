// TranscriptServer: `smtpx serve-transcript` — listens, and plays the server side of a transcript
// to every client that connects, each in a ServedSession, all on one event loop. So a client
// under test can be checked against a recorded dialogue, and a test can script a server that
// misbehaves (an odd reply, a slow one with --pace, a connection dropped with "! close").
#pragma once

#include "net/EventLoop.h"
#include "net/Listener.h"
#include "replay/ServedSession.h"
#include "replay/Transcript.h"
#include "report/Transcript.h"

#include <Poco/Net/SocketAddress.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace smtpx::replay {

class TranscriptServer
{
public:
	struct Settings
	{
		ServedSession::Settings session;
		std::size_t sessions = 0;  // stop listening after this many (0: never)
	};

	// Throws std::invalid_argument naming the line of what a server cannot play: a regex reply, a
	// capture ({{NAME:REGEX}}), STARTTLS (no server-side TLS).
	TranscriptServer(net::EventLoop& loop, report::Transcript& log, Transcript transcript, Settings settings);
	~TranscriptServer();

	// Starts listening; returns the address (with the port chosen for port 0). Throws
	// std::runtime_error when it cannot listen.
	Poco::Net::SocketAddress listen(const Poco::Net::SocketAddress& address);

	// Called from the loop as each session ends.
	void onSessionEnd(std::function<void(const ServedSession&)> callback) { _onSessionEnd = std::move(callback); }

	std::size_t served() const { return _served; }
	const std::vector<std::string>& divergences() const { return _divergences; }

private:
	void accept(Poco::Net::StreamSocket socket);
	void ended(ServedSession& session);

	net::EventLoop& _loop;
	report::Transcript& _log;
	Transcript _transcript;
	std::vector<const Step*> _steps;
	Settings _settings;
	std::unique_ptr<net::Listener> _listener;
	std::map<ServedSession*, std::unique_ptr<ServedSession>> _sessions;
	std::size_t _accepted = 0;
	std::size_t _served = 0;
	std::vector<std::string> _divergences;
	std::function<void(const ServedSession&)> _onSessionEnd;
};

} // namespace smtpx::replay
