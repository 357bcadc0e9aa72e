#include "report/Transcript.h"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <unistd.h>

namespace smtpx::report {

namespace {

std::string_view prefixFor(LineKind kind, bool tls)
{
	switch (kind)
	{
	case LineKind::Client: return tls ? " ~> " : " -> ";
	case LineKind::Server: return tls ? "<~  " : "<-  ";
	case LineKind::Info:   return "=== ";
	case LineKind::Error:  return "*** ";
	}
	return "";
}

std::string_view colorFor(LineKind kind)
{
	switch (kind)
	{
	case LineKind::Client: return "\x1b[36m";
	case LineKind::Server: return "\x1b[32m";
	case LineKind::Info:   return "\x1b[2m";
	case LineKind::Error:  return "\x1b[1;31m";
	}
	return "";
}

// Server text may hold control bytes; a transcript must never drive the terminal.
void appendPrintable(std::string& out, std::string_view text)
{
	static const char* hex = "0123456789abcdef";
	for (unsigned char c : text)
	{
		if (c >= 0x20 && c != 0x7f)
		{
			out += static_cast<char>(c);
			continue;
		}
		out += "\\x";
		out += hex[c >> 4];
		out += hex[c & 15];
	}
}

} // namespace

Transcript::Transcript(std::ostream& console, Options options):
	_console(console),
	_options(std::move(options))
{
	if (_options.filePath.empty()) return;
	_file.open(_options.filePath, std::ios::out | std::ios::trunc);
	if (!_file) throw std::runtime_error("cannot write transcript file " + _options.filePath);
}

bool Transcript::consoleWantsColor()
{
	const char* noColor = std::getenv("NO_COLOR");
	return isatty(STDERR_FILENO) && !(noColor && *noColor);
}

std::string Transcript::format(std::string_view label, double elapsedMs, LineKind kind, bool tls, std::string_view text) const
{
	char stamp[32];
	std::snprintf(stamp, sizeof stamp, "[%7.1fms] ", elapsedMs);
	std::string line(stamp);
	if (_options.labels && !label.empty())
	{
		line += label;
		line += ' ';
	}
	line += prefixFor(kind, tls);
	appendPrintable(line, text);
	return line;
}

void Transcript::write(std::string_view label, double elapsedMs, LineKind kind, bool tls, std::string_view text)
{
	std::string line = format(label, elapsedMs, kind, tls, text);
	line += '\n';
	std::lock_guard lock(_mutex);
	if (_file.is_open()) _file << line;
	if (_options.quiet && kind != LineKind::Error) return;
	// One write per line: the console stream is usually unbuffered stderr.
	if (_options.color)
		_console << (std::string(colorFor(kind)) + line.substr(0, line.size() - 1) + "\x1b[0m\n");
	else
		_console << line;
}

SessionLog::SessionLog(Transcript& transcript, std::string label):
	_transcript(transcript),
	_label(std::move(label)),
	_start(std::chrono::steady_clock::now())
{
}

double SessionLog::elapsedMs() const
{
	return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - _start).count();
}

void SessionLog::client(std::string_view text, bool secret)
{
	_transcript.write(_label, elapsedMs(), LineKind::Client, _tls, secret ? Transcript::kSecretMask : text);
}

void SessionLog::server(std::string_view text)
{
	_transcript.write(_label, elapsedMs(), LineKind::Server, _tls, text);
}

void SessionLog::info(std::string_view text)
{
	_transcript.write(_label, elapsedMs(), LineKind::Info, false, text);
}

void SessionLog::error(std::string_view text)
{
	_transcript.write(_label, elapsedMs(), LineKind::Error, false, text);
}

} // namespace smtpx::report
