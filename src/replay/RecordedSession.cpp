#include "replay/RecordedSession.h"

#include "replay/CanonicalWriter.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include <fstream>

namespace smtpx::replay {

namespace {

// Once one side hung up, the other has this long to follow before the session ends anyway.
constexpr double kLingerSeconds = 5.0;

net::EventLoop::Clock::duration seconds(double value)
{
	return std::chrono::duration_cast<net::EventLoop::Clock::duration>(std::chrono::duration<double>(value));
}

} // namespace

RecordedSession::Side::Side(RecordedSession& session, bool client):
	connection(session._loop, *this),
	_session(session),
	_client(client)
{
}

void RecordedSession::Side::onConnected()
{
	_session.connected(_client);
}

void RecordedSession::Side::onConnectFailed(const std::string& reason)
{
	_session.serverFailed(reason);
}

void RecordedSession::Side::onBytes(std::string_view bytes)
{
	_session.relay(_client, bytes);
}

void RecordedSession::Side::onClosed(const std::string&)
{
	_session.closed(_client);
}

RecordedSession::RecordedSession(net::EventLoop& loop, report::Transcript& log, std::string label, const Settings& settings,
	std::string outFile, std::function<void(RecordedSession&)> onEnd):
	_loop(loop),
	_log(log, std::move(label)),
	_settings(settings),
	_outFile(std::move(outFile)),
	_onEnd(std::move(onEnd)),
	_client(*this, true),
	_server(*this, false),
	_recordedAt(Poco::DateTimeFormatter::format(Poco::Timestamp(), Poco::DateTimeFormat::ISO8601_FORMAT))
{
}

RecordedSession::~RecordedSession()
{
	_loop.cancelTimer(_linger);
}

void RecordedSession::start(Poco::Net::StreamSocket client)
{
	_client.connection.adopt(std::move(client));
}

void RecordedSession::connected(bool client)
{
	if (!client)
	{
		_log.info("Connected to " + _settings.server + ".");
		_server.connection.write(_toServer);
		_toServer.clear();
		return;
	}
	_peer = _client.connection.peerAddress();
	_log.info("Connection from " + _peer + "; connecting to " + _settings.server);
	_server.connection.connect(_settings.addresses, seconds(_settings.timeout));
}

void RecordedSession::serverFailed(const std::string& reason)
{
	_log.error("cannot connect to " + _settings.server + ": " + reason);
	_builder.remark(StepKind::Error, "cannot connect to " + _settings.server + ": " + reason, 0, elapsedMs());
	_client.connection.write("421 4.4.0 smtpx record: cannot reach " + _settings.server + "\r\n");
	_serverClosed = true;
	_client.connection.shutdownSend();
	closed(false);
}

void RecordedSession::relay(bool fromClient, std::string_view bytes)
{
	if (fromClient && !_server.connection.isOpen())
		_toServer.append(bytes);
	else
		(fromClient ? _server : _client).connection.write(bytes);
	if (!_recording) return;
	try
	{
		(fromClient ? _client : _server).reader.append(bytes);
		record(fromClient);
	}
	catch (const std::exception& e)
	{
		stopRecording(e.what());
	}
}

void RecordedSession::record(bool fromClient)
{
	net::LineReader& reader = (fromClient ? _client : _server).reader;
	std::string line;
	bool bareLf = false;
	while (_recording && reader.nextLine(line, bareLf)) recordLine(fromClient, line);
}

void RecordedSession::recordLine(bool fromClient, const std::string& line)
{
	++_lines;
	if (fromClient)
	{
		_startTlsAsked = !_builder.inMessageText() && DialogueBuilder::verbOf(line) == "STARTTLS";
		_builder.client(line, 0, elapsedMs());
		return;
	}
	_builder.server({MatchRule::Default, line, 0}, elapsedMs());
	if (!_startTlsAsked || line.size() < 4 || line[3] == '-') return;
	if (line.starts_with("220"))
	{
		_builder.startTls(0, elapsedMs());
		stopRecording("the dialogue goes on inside TLS, which this proxy relays but cannot read");
	}
	_startTlsAsked = false;
}

void RecordedSession::stopRecording(const std::string& why)
{
	_recording = false;
	_builder.note(0, "the recording stops here: " + why);
	_log.info("recording stopped: " + why);
}

void RecordedSession::closed(bool client)
{
	(client ? _clientClosed : _serverClosed) = true;
	if (_clientClosed && _serverClosed)
	{
		end();
		return;
	}
	// Let the other side read what is left, then hang up on it too.
	(client ? _server : _client).connection.shutdownSend();
	if (!_linger) _linger = _loop.startTimer(seconds(kLingerSeconds), [this] {
		_linger = 0;
		end();
	});
}

void RecordedSession::end()
{
	if (_ended) return;
	_ended = true;
	_loop.cancelTimer(_linger);
	_client.connection.close();
	_server.connection.close();
	writeTranscript();
	// The owner deletes this session: never from inside one of its own callbacks, and with a copy
	// of the callback, which must not be destroyed while it runs.
	_loop.defer([onEnd = _onEnd, this] { onEnd(*this); });
}

void RecordedSession::writeTranscript()
{
	_builder.metadata("source", "record");
	_builder.metadata("server", _settings.server);
	_builder.metadata("recorded", _recordedAt);
	Transcript transcript;
	try
	{
		transcript = _builder.finish();
	}
	catch (const ImportError& e)
	{
		_builder.note(0, std::string("the recording is cut short: ") + e.problems().front().message);
		transcript = _builder.takeUnfinished();
	}
	std::ofstream out(_outFile, std::ios::binary | std::ios::trunc);
	if (!(out << writeCanonical(transcript)))
	{
		_error = "cannot write " + _outFile;
		_log.error(_error);
		return;
	}
	_log.info("recorded to " + _outFile);
}

double RecordedSession::elapsedMs() const
{
	return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - _started).count();
}

} // namespace smtpx::replay
