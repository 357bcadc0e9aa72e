// Fuzz target: encodeMessageData, the guard against SMTP smuggling. Whatever the text, the bytes
// sent after DATA must hold exactly one end-of-data sequence, at the very end; every CR and LF must
// be part of a CRLF; and undoing the dot-stuffing must give back the text's lines.
#include "FuzzCheck.h"
#include "smtp/DataEncoder.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using smtpx::smtp::encodeMessageData;
using smtpx::smtp::unstuffLine;

// The lines of `text` with every line end form (CRLF, LF, CR) counted as one line end.
std::vector<std::string_view> textLines(std::string_view text)
{
	std::vector<std::string_view> lines;
	std::size_t start = 0;
	while (start < text.size())
	{
		std::size_t end = text.find_first_of("\r\n", start);
		if (end == std::string_view::npos) end = text.size();
		lines.push_back(text.substr(start, end - start));
		start = end + ((end + 1 < text.size() && text[end] == '\r' && text[end + 1] == '\n') ? 2 : 1);
	}
	return lines;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	std::string_view text(reinterpret_cast<const char*>(data), size);
	const std::string encoded = encodeMessageData(text);
	std::string_view wire(encoded);

	FUZZ_CHECK(wire == ".\r\n" || wire.ends_with("\r\n.\r\n"));
	const std::string_view body = wire.substr(0, wire.size() - 3);  // without the final ".\r\n"
	// No early end of data: not "CRLF . CRLF" inside, nor a body that starts with ". CRLF".
	FUZZ_CHECK(body.find("\r\n.\r\n") == std::string_view::npos);
	FUZZ_CHECK(!body.starts_with(".\r\n"));
	for (std::size_t i = 0; i < wire.size(); ++i)
	{
		if (wire[i] == '\r') FUZZ_CHECK(i + 1 < wire.size() && wire[i + 1] == '\n');
		if (wire[i] == '\n') FUZZ_CHECK(i > 0 && wire[i - 1] == '\r');
	}
	// Every line of the body unstuffs to the text's line in the same place.
	const std::vector<std::string_view> expected = textLines(text);
	std::size_t index = 0;
	for (std::size_t start = 0; start < body.size(); ++index)
	{
		std::size_t end = body.find("\r\n", start);
		FUZZ_CHECK(end != std::string_view::npos);
		FUZZ_CHECK(index < expected.size());
		FUZZ_CHECK(unstuffLine(body.substr(start, end - start)) == expected[index]);
		start = end + 2;
	}
	FUZZ_CHECK(index == expected.size());
	return 0;
}
