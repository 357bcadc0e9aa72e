#include "replay/TranscriptServer.h"

#include "replay/Template.h"

#include <stdexcept>

namespace smtpx::replay {

namespace {

std::string atLine(std::size_t line, const std::string& what)
{
	return "line " + std::to_string(line) + ": " + what;
}

void checkPlayable(const ServerLine& line)
{
	if (line.rule == MatchRule::Regex) throw std::invalid_argument(atLine(line.line, "a server cannot send a regex (S~)"));
	try
	{
		renderServerLine(line.text, {});
	}
	catch (const std::invalid_argument& e)
	{
		throw std::invalid_argument(atLine(line.line, e.what()));
	}
}

} // namespace

TranscriptServer::TranscriptServer(net::EventLoop& loop, report::Transcript& log, Transcript transcript, Settings settings):
	_loop(loop),
	_log(log),
	_transcript(std::move(transcript)),
	_settings(std::move(settings))
{
	for (const auto& step : _transcript.steps)
	{
		if (step.kind == StepKind::StartTls)
			throw std::invalid_argument(atLine(step.line, "serve-transcript cannot play STARTTLS (it has no server-side TLS)"));
		for (const auto& line : step.reply) checkPlayable(line);
		if (step.kind == StepKind::Client || step.kind == StepKind::Reply || step.kind == StepKind::Close)
			_steps.push_back(&step);
	}
}

TranscriptServer::~TranscriptServer() = default;

Poco::Net::SocketAddress TranscriptServer::listen(const Poco::Net::SocketAddress& address)
{
	_listener = std::make_unique<net::Listener>(_loop, address, [this](Poco::Net::StreamSocket socket) { accept(std::move(socket)); });
	return _listener->address();
}

void TranscriptServer::accept(Poco::Net::StreamSocket socket)
{
	++_accepted;
	if (_settings.sessions && _accepted >= _settings.sessions) _listener->close();
	auto session = std::make_unique<ServedSession>(_loop, _log, "session " + std::to_string(_accepted), _steps,
		_settings.session, [this](ServedSession& ended) { this->ended(ended); });
	ServedSession* key = session.get();
	_sessions.emplace(key, std::move(session));
	key->start(std::move(socket));
}

void TranscriptServer::ended(ServedSession& session)
{
	++_served;
	if (session.divergence()) _divergences.push_back(*session.divergence());
	if (_onSessionEnd) _onSessionEnd(session);
	_sessions.erase(&session);
}

} // namespace smtpx::replay
