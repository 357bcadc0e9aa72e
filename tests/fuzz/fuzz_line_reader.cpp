// Fuzz target: LineReader. The first input byte chooses the line limit, the second the size of
// the pieces the rest arrives in (as reads from a socket would). Checks the lines against a
// plain reference split, and that the buffer never holds an unterminated tail over the limit.
#include "FuzzCheck.h"
#include "net/LineReader.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using smtpx::net::LineReader;
using smtpx::net::LineTooLong;

struct Line
{
	std::string text;
	bool bareLf;
};

// The lines of `bytes` as LineReader.h defines them: split at LF, a CR just before it removed.
std::vector<Line> referenceLines(std::string_view bytes)
{
	std::vector<Line> lines;
	std::size_t start = 0;
	for (std::size_t lf; (lf = bytes.find('\n', start)) != std::string_view::npos; start = lf + 1)
	{
		std::string_view text = bytes.substr(start, lf - start);
		bool bareLf = !text.ends_with('\r');
		if (!bareLf) text.remove_suffix(1);
		lines.push_back({std::string(text), bareLf});
	}
	return lines;
}

void takeLines(LineReader& reader, std::vector<Line>& out)
{
	std::string line;
	bool bareLf = false;
	while (reader.nextLine(line, bareLf)) out.push_back({line, bareLf});
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	if (size < 2) return 0;
	const std::size_t maxLine = 1 + data[0] % 64;
	const std::size_t piece = 1 + data[1] % 32;
	std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

	LineReader reader(maxLine);
	std::vector<Line> lines;
	bool tooLong = false;
	for (std::size_t fed = 0; fed < input.size() && !tooLong; fed += piece)
	{
		try
		{
			reader.append(input.substr(fed, piece));
		}
		catch (const LineTooLong&)
		{
			tooLong = true;
		}
		takeLines(reader, lines);
		// Only complete lines may be buffered beyond the limit, never a tail: here all complete
		// lines were taken, so the rest is at most the limit (plus a CR that may start a CRLF).
		FUZZ_CHECK(reader.buffered() <= maxLine + 1);
	}
	// The reference: every complete line up to the first one over the limit. When the reader
	// threw, it must have delivered exactly those; else all of them.
	std::vector<Line> expected = referenceLines(input);
	std::size_t firstTooLong = 0;
	while (firstTooLong < expected.size() && expected[firstTooLong].text.size() <= maxLine) ++firstTooLong;
	FUZZ_CHECK(tooLong || firstTooLong == expected.size());
	expected.resize(firstTooLong);
	FUZZ_CHECK(lines.size() == expected.size());
	for (std::size_t i = 0; i < lines.size(); ++i)
	{
		FUZZ_CHECK(lines[i].text == expected[i].text);
		FUZZ_CHECK(lines[i].bareLf == expected[i].bareLf);
	}
	return 0;
}
