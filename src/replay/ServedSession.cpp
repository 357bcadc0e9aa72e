#include "replay/ServedSession.h"

#include "replay/Template.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Timestamp.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <set>

namespace smtpx::replay {

namespace {

// After its last reply the server waits this long for the client to hang up.
constexpr double kLingerSeconds = 2.0;

net::EventLoop::Clock::duration seconds(double value)
{
	return net::EventLoop::delay(value);
}

std::string newQueueId()
{
	static std::mt19937 random{std::random_device{}()};
	char id[16];
	std::snprintf(id, sizeof id, "%010llX", static_cast<unsigned long long>(random()) << 8 | (random() & 0xff));
	return id;
}

bool holdsSecret(const std::string& templateText)
{
	std::set<std::string> names;
	addSecretNames(templateText, names);
	return !names.empty();
}

} // namespace

ServedSession::ServedSession(net::EventLoop& loop, report::Transcript& log, std::string label,
	const std::vector<const Step*>& steps, const Settings& settings, std::function<void(ServedSession&)> onEnd):
	_loop(loop),
	_log(log, std::move(label)),
	_steps(steps),
	_settings(settings),
	_onEnd(std::move(onEnd)),
	_connection(loop, *this)
{
}

ServedSession::~ServedSession()
{
	_loop.cancelTimer(_timer);
}

void ServedSession::start(Poco::Net::StreamSocket socket)
{
	_connection.adopt(std::move(socket));
}

void ServedSession::onConnected()
{
	_peer = _connection.peerAddress();
	_log.info("Connection from " + _peer + ".");
	advance();
}

void ServedSession::onBytes(std::string_view bytes)
{
	_loop.cancelTimer(_timer);
	try
	{
		_reader.append(bytes);
	}
	catch (const net::LineTooLong& e)
	{
		diverge(e.what());
		return;
	}
	advance();
}

void ServedSession::advance()
{
	while (!_ended && !_paused && !_closing)
	{
		std::string line;
		bool bareLf = false;
		if (_next >= _steps.size())
		{
			if (_reader.nextLine(line, bareLf))
				diverge("the transcript ends, but the client sent \"" + line + "\"");
			else
				closeAfterOutput();
			return;
		}
		const Step& step = *_steps[_next];
		if (step.kind == StepKind::Client)
		{
			if (!_reader.nextLine(line, bareLf))
			{
				waitForClient();
				return;
			}
			if (!takeLine(line)) return;
			continue;
		}
		if (step.kind == StepKind::Close)
		{
			++_next;
			_log.info("closing the connection, as the transcript does");
			closeAfterOutput();
			return;
		}
		double gap = _settings.pace ? gapBefore(_next) : 0.0;
		if (gap > 0)
		{
			_paused = true;
			_timer = _loop.startTimer(seconds(gap), [this] {
				_timer = 0;
				_paused = false;
				sendReply(*_steps[_next++]);
				advance();
			});
			return;
		}
		sendReply(*_steps[_next++]);
	}
}

void ServedSession::sendReply(const Step& step)
{
	ServerValues values{newQueueId(), Poco::DateTimeFormatter::format(Poco::Timestamp(), Poco::DateTimeFormat::RFC1123_FORMAT),
		Poco::Net::SocketAddress(_connection.peerAddress()).host().toString()};
	std::string bytes;
	for (const auto& line : step.reply)
	{
		std::string text = renderServerLine(line.text, values);
		_log.server(text);
		bytes += text + "\r\n";
		++_lines;
	}
	_connection.write(bytes);
}

bool ServedSession::takeLine(const std::string& line)
{
	const Step& step = *_steps[_next];
	++_lines;
	_log.client(line, holdsSecret(step.text));
	if (!ClientPattern(step.text, !step.verb.empty()).matches(line))
	{
		diverge("expected \"" + step.text + "\", got \"" + line + "\"");
		return false;
	}
	++_next;
	return true;
}

void ServedSession::waitForClient()
{
	_loop.cancelTimer(_timer);
	_timer = _loop.startTimer(seconds(_settings.timeout), [this] {
		_timer = 0;
		char text[64];
		std::snprintf(text, sizeof text, "the client sent nothing for %g s", _settings.timeout);
		diverge(std::string(text) + "; expected \"" + _steps[_next]->text + "\"");
	});
}

void ServedSession::diverge(const std::string& what)
{
	if (_divergence || _ended) return;
	const Step& step = *_steps[std::min(_next, _steps.size() - 1)];
	_divergence = where(step) + ": " + what;
	_log.error(*_divergence);
	if (_connection.isOpen())
		_connection.write("451 4.3.0 smtpx serve-transcript: not what transcript line " + std::to_string(step.line) +
			" expects\r\n");
	closeAfterOutput();
}

void ServedSession::closeAfterOutput()
{
	if (_closing) return;
	_closing = true;
	_connection.shutdownSend();
	_loop.cancelTimer(_timer);
	_timer = _loop.startTimer(seconds(kLingerSeconds), [this] {
		_timer = 0;
		end();
	});
}

void ServedSession::onClosed(const std::string& reason)
{
	_log.info("the client closed the connection");
	for (std::size_t i = _next; !_closing && i < _steps.size(); ++i)
	{
		if (_steps[i]->kind != StepKind::Client) continue;
		_divergence = where(*_steps[i]) + ": the client closed the connection; expected \"" + _steps[i]->text + "\"";
		_log.error(*_divergence);
		break;
	}
	end();
}

void ServedSession::end()
{
	if (_ended) return;
	_ended = true;
	_loop.cancelTimer(_timer);
	_timer = 0;
	_connection.close();
	// The owner deletes this session: never from inside one of its own callbacks, and with a copy
	// of the callback, which must not be destroyed while it runs.
	_loop.defer([onEnd = _onEnd, this] { onEnd(*this); });
}

std::string ServedSession::where(const Step& step) const
{
	std::size_t number = 0;
	while (number < _steps.size() && _steps[number] != &step) ++number;
	return "step " + std::to_string(number + 1) + " (" + _settings.name + " line " + std::to_string(step.line) + ")";
}

double ServedSession::gapBefore(std::size_t index) const
{
	if (!_steps[index]->atMs) return 0.0;
	for (std::size_t i = index; i-- > 0;)
		if (_steps[i]->atMs) return (*_steps[index]->atMs - *_steps[i]->atMs) / 1000.0;
	return *_steps[index]->atMs / 1000.0;  // since the session began
}

} // namespace smtpx::replay
