#include "smtp/DataEncoder.h"

namespace smtpx::smtp {

std::string encodeMessageData(std::string_view text)
{
	std::string out;
	// Dot-stuffing and LF -> CRLF grow typical mail by a few percent; one reserve covers that.
	out.reserve(text.size() + text.size() / 16 + 8);
	const std::size_t size = text.size();
	std::size_t pos = 0;
	while (pos < size)
	{
		if (text[pos] == '.')
			out += '.';
		std::size_t end = pos;
		while (end < size && text[end] != '\r' && text[end] != '\n')
			++end;
		out.append(text.data() + pos, end - pos);
		if (end == size)
			break;
		// Every line end form becomes CRLF, so a bare CR or LF can never combine with its
		// neighbours into an early "CRLF . CRLF" on the wire.
		out += "\r\n";
		pos = end + ((text[end] == '\r' && end + 1 < size && text[end + 1] == '\n') ? 2 : 1);
	}
	// Line contents hold no CR or LF, so a missing final CRLF means the text lacked a final line end.
	if (!out.empty() && !out.ends_with("\r\n"))
		out += "\r\n";
	out += ".\r\n";
	return out;
}

std::string_view unstuffLine(std::string_view line)
{
	if (!line.empty() && line.front() == '.')
		line.remove_prefix(1);
	return line;
}

} // namespace smtpx::smtp
