// DataEncoder: turns message text into the bytes sent after DATA (RFC 5321 section 4.5.2).
#pragma once

#include <string>
#include <string_view>

namespace smtpx::smtp {

// Normalises every line end (CRLF, bare LF, bare CR) to CRLF, dot-stuffs lines that begin with
// '.', makes sure the text ends with CRLF and appends the terminating ".\r\n". An empty input gives
// ".\r\n". No sequence in the input can end the message early.
std::string encodeMessageData(std::string_view text);

// Reverse of dot-stuffing for one received line (used by the replay server side).
std::string_view unstuffLine(std::string_view line);

} // namespace smtpx::smtp
