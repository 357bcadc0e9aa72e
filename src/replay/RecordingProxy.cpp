#include "replay/RecordingProxy.h"

#include <Poco/File.h>
#include <Poco/Path.h>

namespace smtpx::replay {

RecordingProxy::RecordingProxy(net::EventLoop& loop, report::Transcript& log, Settings settings):
	_loop(loop),
	_log(log),
	_settings(std::move(settings))
{
}

RecordingProxy::~RecordingProxy() = default;

std::string RecordingProxy::outFile(const std::string& out, std::size_t n)
{
	bool directory = out.ends_with('/') || (Poco::File(out).exists() && Poco::File(out).isDirectory());
	if (directory) return Poco::Path(out).makeDirectory().setFileName("session-" + std::to_string(n) + ".smtpx").toString();
	if (n == 1) return out;
	Poco::Path path(out);
	std::string extension = path.getExtension();
	path.setBaseName(path.getBaseName() + "-" + std::to_string(n));
	if (!extension.empty()) path.setExtension(extension);
	return path.toString();
}

Poco::Net::SocketAddress RecordingProxy::listen(const Poco::Net::SocketAddress& address)
{
	_listener = std::make_unique<net::Listener>(_loop, address, [this](Poco::Net::StreamSocket socket) { accept(std::move(socket)); });
	return _listener->address();
}

void RecordingProxy::accept(Poco::Net::StreamSocket socket)
{
	++_accepted;
	if (_settings.sessions && _accepted >= _settings.sessions) _listener->close();
	auto session = std::make_unique<RecordedSession>(_loop, _log, "session " + std::to_string(_accepted), _settings.session,
		outFile(_settings.out, _accepted), [this](RecordedSession& ended) { this->ended(ended); });
	RecordedSession* key = session.get();
	_sessions.emplace(key, std::move(session));
	key->start(std::move(socket));
}

void RecordingProxy::ended(RecordedSession& session)
{
	if (session.error().empty())
		_written.push_back(session.outFile());
	else
		_errors.push_back(session.error());
	if (_onSessionEnd) _onSessionEnd(session);
	_sessions.erase(&session);
}

} // namespace smtpx::replay
