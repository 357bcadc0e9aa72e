// Fuzz target: ReplyParser, fed the input's lines (split at LF, a CR before it dropped) as a
// server would send them. Checks that it never crashes and that every reply it returns keeps the
// promises Reply.h makes, within the parser's bounds.
#include "FuzzCheck.h"
#include "smtp/ReplyParser.h"

#include <cstdint>
#include <string_view>

namespace {

using smtpx::smtp::ProtocolError;
using smtpx::smtp::Reply;
using smtpx::smtp::ReplyParser;

void checkReply(const Reply& reply, std::size_t maxLines, std::size_t maxBytes)
{
	FUZZ_CHECK(reply.code >= 100 && reply.code <= 599);
	FUZZ_CHECK(!reply.lines.empty() && reply.lines.size() <= maxLines);
	FUZZ_CHECK(reply.lines.size() == reply.texts.size());
	std::size_t bytes = 0;
	for (const auto& line : reply.lines)
	{
		FUZZ_CHECK(line.size() >= 3 && std::stoi(line.substr(0, 3)) == reply.code);
		bytes += line.size();
	}
	FUZZ_CHECK(bytes <= maxBytes);
	const std::string& last = reply.lines.back();
	FUZZ_CHECK(last.size() == 3 || last[3] == ' ');
	FUZZ_CHECK(reply.enhanced.empty() || reply.enhanced[0] == static_cast<char>('0' + reply.codeClass()));
}

void feedAll(ReplyParser& parser, std::string_view input, std::size_t maxLines, std::size_t maxBytes)
{
	while (!input.empty())
	{
		std::size_t lf = input.find('\n');
		std::string_view line = input.substr(0, lf);
		input = lf == std::string_view::npos ? std::string_view() : input.substr(lf + 1);
		if (line.ends_with('\r')) line.remove_suffix(1);
		try
		{
			if (auto reply = parser.feed(line)) checkReply(*reply, maxLines, maxBytes);
		}
		catch (const ProtocolError&)
		{
			FUZZ_CHECK(!parser.inReply());
		}
	}
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	std::string_view input(reinterpret_cast<const char*>(data), size);
	ReplyParser standard;
	feedAll(standard, input, ReplyParser::kDefaultMaxLines, ReplyParser::kDefaultMaxBytes);
	// Small bounds, so short inputs reach the limits too.
	ReplyParser tight(4, 64);
	feedAll(tight, input, 4, 64);
	return 0;
}
