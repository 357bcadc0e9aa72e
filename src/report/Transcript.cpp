#include "report/Transcript.h"

#include <cstdint>
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

// The length of the well-formed UTF-8 sequence at text[i] when it encodes a printable character,
// else 0: invalid bytes, overlong forms, surrogates, and the C1 controls U+0080-U+009F (U+009B is
// CSI, which terminals obey like ESC [).
std::size_t printableUtf8Length(std::string_view text, std::size_t i)
{
	static constexpr std::uint32_t kSmallest[] = {0, 0, 0xA0, 0x800, 0x10000};
	const unsigned char lead = static_cast<unsigned char>(text[i]);
	std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
	if (length == 0 || lead > 0xF4 || i + length > text.size()) return 0;
	std::uint32_t codePoint = lead & (0x7F >> length);
	for (std::size_t k = 1; k < length; ++k)
	{
		const unsigned char next = static_cast<unsigned char>(text[i + k]);
		if ((next & 0xC0) != 0x80) return 0;
		codePoint = (codePoint << 6) | (next & 0x3F);
	}
	if (codePoint < kSmallest[length] || codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF))
		return 0;
	return length;
}

// Server text may hold control bytes and invalid UTF-8; a transcript must never drive the terminal.
void appendPrintable(std::string& out, std::string_view text)
{
	static const char* hex = "0123456789abcdef";
	for (std::size_t i = 0; i < text.size(); ++i)
	{
		const unsigned char c = static_cast<unsigned char>(text[i]);
		if (c >= 0x20 && c < 0x7f)
		{
			out += static_cast<char>(c);
			continue;
		}
		if (std::size_t length = c >= 0x80 ? printableUtf8Length(text, i) : 0)
		{
			out.append(text.substr(i, length));
			i += length - 1;
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

Transcript::Options Transcript::Options::forConsole(bool quiet, bool labels, std::string filePath)
{
	return {quiet, consoleWantsColor(), labels, std::move(filePath)};
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
	// A quiet load run logs thousands of lines a second that nobody reads: skip their formatting.
	if (!records(kind)) return;
	bool toConsole = reachesConsole(kind);
	std::string line = format(label, elapsedMs, kind, tls, text);
	line += '\n';
	std::lock_guard lock(_mutex);
	if (_file.is_open()) _file << line;
	if (!toConsole) return;
	// One write per line: the console stream is usually unbuffered stderr.
	if (_options.color)
		_console << (std::string(colorFor(kind)) + line.substr(0, line.size() - 1) + "\x1b[0m\n");
	else
		_console << line;
}

bool Transcript::records(LineKind kind) const
{
	return reachesConsole(kind) || _file.is_open();
}

bool Transcript::reachesConsole(LineKind kind) const
{
	return !_options.quiet || kind == LineKind::Error;
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
