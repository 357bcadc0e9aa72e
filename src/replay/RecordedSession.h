// RecordedSession: one client of `smtpx record`. It relays every byte between the client and the
// real server and writes the dialogue, with time stamps, as a canonical transcript when it ends.
// The DialogueBuilder turns AUTH payloads into secret placeholders. The proxy does not terminate
// TLS: after STARTTLS it relays what it cannot read, and the transcript says the recording stops.
#pragma once

#include "net/Connection.h"
#include "net/EventLoop.h"
#include "net/LineReader.h"
#include "replay/DialogueBuilder.h"
#include "report/Transcript.h"

#include <Poco/Net/SocketAddress.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace smtpx::replay {

class RecordedSession
{
public:
	struct Settings
	{
		std::string server;                                // "host:port", for the transcript
		std::vector<Poco::Net::SocketAddress> addresses;   // where to connect
		double timeout = 30;                               // seconds, to connect
	};

	// `onEnd` is called from the loop once the transcript is written (or could not be).
	RecordedSession(net::EventLoop& loop, report::Transcript& log, std::string label, const Settings& settings,
		std::string outFile, std::function<void(RecordedSession&)> onEnd);
	~RecordedSession();

	void start(Poco::Net::StreamSocket client);

	const std::string& outFile() const { return _outFile; }
	// Why the transcript could not be written; empty when it was.
	const std::string& error() const { return _error; }
	const std::string& label() const { return _log.label(); }
	// The client's address ("127.0.0.1:40312"); empty until it is known.
	const std::string& peer() const { return _peer; }
	// Lines recorded, the client's and the server's.
	std::size_t lines() const { return _lines; }
	double elapsedSeconds() const { return elapsedMs() / 1000; }

private:
	// One end of the relay: the client, or the server.
	class Side : private net::Connection::Listener
	{
	public:
		Side(RecordedSession& session, bool client);
		net::Connection connection;
		net::LineReader reader;

	private:
		void onConnected() override;
		void onConnectFailed(const std::string& reason) override;
		void onBytes(std::string_view bytes) override;
		void onClosed(const std::string& reason) override;

		RecordedSession& _session;
		bool _client;
	};

	void connected(bool client);
	void serverFailed(const std::string& reason);
	void relay(bool fromClient, std::string_view bytes);
	void record(bool fromClient);
	void recordLine(bool fromClient, const std::string& line);
	void stopRecording(const std::string& why);
	void closed(bool client);
	void end();
	void writeTranscript();
	double elapsedMs() const;

	net::EventLoop& _loop;
	report::SessionLog _log;
	Settings _settings;
	std::string _outFile;
	std::function<void(RecordedSession&)> _onEnd;
	Side _client;
	Side _server;
	std::string _toServer;  // what the client sent before the server connection was up
	DialogueBuilder _builder{{true}};
	bool _recording = true;
	bool _startTlsAsked = false;
	bool _clientClosed = false;
	bool _serverClosed = false;
	bool _ended = false;
	net::EventLoop::TimerId _linger = 0;
	std::chrono::steady_clock::time_point _started = std::chrono::steady_clock::now();
	std::string _recordedAt;
	std::string _error;
	std::string _peer;
	std::size_t _lines = 0;
};

} // namespace smtpx::replay
