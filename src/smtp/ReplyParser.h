// ReplyParser: assembles lines from a server into whole replies.
#pragma once

#include "smtp/Reply.h"

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace smtpx::smtp {

// A server line that is not part of a well-formed reply. what() shows the offending line.
class ProtocolError : public std::runtime_error
{
public:
	using std::runtime_error::runtime_error;
};

class ReplyParser
{
public:
	// Bounds so a hostile server cannot make one reply grow without limit.
	static constexpr std::size_t kDefaultMaxLines = 10000;
	static constexpr std::size_t kDefaultMaxBytes = 1 << 20;

	explicit ReplyParser(std::size_t maxLines = kDefaultMaxLines, std::size_t maxBytes = kDefaultMaxBytes);

	// Feeds one line (without its line end). Returns the reply when this line completes one.
	// Throws ProtocolError for a line without a 3-digit code (100-599), a separator other than
	// '-', ' ' or end of line, a code different from the earlier lines of the same reply, or a
	// reply over the bounds. After an error the parser is reset and may be fed again.
	std::optional<Reply> feed(std::string_view line);

	// True while a multi-line reply has begun but not ended.
	bool inReply() const { return !_pending.lines.empty(); }

private:
	void reset();

	Reply _pending;
	std::size_t _pendingBytes = 0;
	std::size_t _maxLines;
	std::size_t _maxBytes;
};

// The line in double quotes, non-printable bytes as \xHH, cut after 200 bytes (with the length
// said), so a binary or huge line from a hostile server cannot flood or garble a terminal.
std::string quoteLine(std::string_view line);

// Splits "2.1.0 Ok" into enhanced code "2.1.0" and text "Ok" when the text starts with a valid
// RFC 3463 code whose class digit equals the reply's class; otherwise returns an empty code.
std::pair<std::string, std::string> splitEnhancedCode(int replyCode, std::string_view text);

} // namespace smtpx::smtp
