#include "smtp/ReplyParser.h"

#include <cstdio>
#include <utility>

namespace smtpx::smtp {

namespace {

// Error messages quote at most this many bytes of the offending line.
constexpr std::size_t kMaxQuotedBytes = 200;

bool isDigit(char c)
{
	return c >= '0' && c <= '9';
}

} // namespace

std::string quoteLine(std::string_view line)
{
	std::string quoted = "\"";
	for (unsigned char c : line.substr(0, kMaxQuotedBytes))
	{
		if (c == '"' || c == '\\')
		{
			quoted += '\\';
			quoted += static_cast<char>(c);
		}
		else if (c >= 0x20 && c < 0x7f)
		{
			quoted += static_cast<char>(c);
		}
		else
		{
			char escape[5];
			std::snprintf(escape, sizeof escape, "\\x%02X", c);
			quoted += escape;
		}
	}
	quoted += '"';
	if (line.size() > kMaxQuotedBytes)
		quoted += "... (" + std::to_string(line.size()) + " bytes)";
	return quoted;
}

namespace {

// Counts the run of digits at the start of `text`, stopping after `max` + 1 so callers can
// reject runs that are too long.
std::size_t digitRun(std::string_view text, std::size_t max)
{
	std::size_t n = 0;
	while (n < text.size() && n <= max && isDigit(text[n]))
		++n;
	return n;
}

// Parses the code of one reply line; throws ProtocolError for anything but 3 digits in 100-599
// followed by '-', ' ' or the end of the line.
int parseCode(std::string_view line)
{
	if (line.size() < 3 || digitRun(line, 3) < 3)
		throw ProtocolError("malformed reply line (no 3-digit code): " + quoteLine(line));
	if (line.size() > 3 && isDigit(line[3]))
		throw ProtocolError("malformed reply line (code longer than 3 digits): " + quoteLine(line));
	if (line.size() > 3 && line[3] != '-' && line[3] != ' ')
		throw ProtocolError("malformed reply line (no '-' or ' ' after the code): " + quoteLine(line));
	const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (code < 100 || code > 599)
		throw ProtocolError("malformed reply line (code outside 100-599): " + quoteLine(line));
	return code;
}

// Length of the RFC 3463 code (class "." subject "." detail) that starts `text` and is followed
// by a space or the end, or 0 when there is none. The class must be 2, 4 or 5 and agree with the
// reply code, so "250-8BITMIME" or a 354 reply never yields one.
std::size_t enhancedCodeLength(int replyCode, std::string_view text)
{
	const char replyClass = static_cast<char>('0' + replyCode / 100);
	if (replyClass != '2' && replyClass != '4' && replyClass != '5')
		return 0;
	if (text.size() < 2 || text[0] != replyClass || text[1] != '.')
		return 0;
	std::size_t pos = 2;
	const std::size_t subject = digitRun(text.substr(pos), 3);
	pos += subject;
	if (subject < 1 || subject > 3 || pos >= text.size() || text[pos] != '.')
		return 0;
	++pos;
	const std::size_t detail = digitRun(text.substr(pos), 3);
	pos += detail;
	if (detail < 1 || detail > 3 || (pos < text.size() && text[pos] != ' '))
		return 0;
	return pos;
}

} // namespace

ReplyParser::ReplyParser(std::size_t maxLines, std::size_t maxBytes):
	_maxLines(maxLines),
	_maxBytes(maxBytes)
{
}

std::optional<Reply> ReplyParser::feed(std::string_view line)
{
	try
	{
		const int code = parseCode(line);
		if (inReply() && code != _pending.code)
		{
			throw ProtocolError("reply code changed from " + std::to_string(_pending.code) + " to " +
				std::to_string(code) + " inside a multi-line reply: " + quoteLine(line));
		}
		if (_pending.lines.size() + 1 > _maxLines)
			throw ProtocolError("reply has more than " + std::to_string(_maxLines) + " lines: " + quoteLine(line));
		if (_pendingBytes + line.size() > _maxBytes)
			throw ProtocolError("reply has more than " + std::to_string(_maxBytes) + " bytes: " + quoteLine(line));

		auto [enhanced, text] = splitEnhancedCode(code, line.size() > 3 ? line.substr(4) : std::string_view());
		if (_pending.enhanced.empty())
			_pending.enhanced = std::move(enhanced);
		_pending.code = code;
		_pending.lines.emplace_back(line);
		_pending.texts.push_back(std::move(text));
		_pendingBytes += line.size();
	}
	catch (const ProtocolError&)
	{
		reset();
		throw;
	}
	if (line.size() > 3 && line[3] == '-')
		return std::nullopt;
	Reply reply = std::move(_pending);
	reset();
	return reply;
}

void ReplyParser::reset()
{
	_pending = Reply();
	_pendingBytes = 0;
}

std::pair<std::string, std::string> splitEnhancedCode(int replyCode, std::string_view text)
{
	const std::size_t length = enhancedCodeLength(replyCode, text);
	if (length == 0)
		return {std::string(), std::string(text)};
	const std::string_view rest = length < text.size() ? text.substr(length + 1) : std::string_view();
	return {std::string(text.substr(0, length)), std::string(rest)};
}

} // namespace smtpx::smtp
