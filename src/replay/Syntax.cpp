#include "replay/Syntax.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace smtpx::replay::syntax {

namespace {

constexpr std::string_view kBlanks = " \t\r";

constexpr std::pair<char, MatchRule> kRules[] = {
	{':', MatchRule::Default},
	{'#', MatchRule::Code},
	{'=', MatchRule::Text},
	{'~', MatchRule::Regex},
};

// The text after a two-character tag: "" for the bare tag, else what follows its space.
std::optional<std::string_view> afterTag(std::string_view line)
{
	if (line.size() == 2) return std::string_view();
	if (line[2] != ' ') return std::nullopt;
	return line.substr(3);
}

} // namespace

std::string_view trimmedLeft(std::string_view text)
{
	text.remove_prefix(std::min(text.find_first_not_of(kBlanks), text.size()));
	return text;
}

std::string_view trimmed(std::string_view text)
{
	text = trimmedLeft(text);
	return text.substr(0, text.find_last_not_of(kBlanks) + 1);
}

std::size_t findBlank(std::string_view text)
{
	return text.find_first_of(kBlanks);
}

std::string_view serverTag(MatchRule rule)
{
	switch (rule)
	{
	case MatchRule::Default: return "S:";
	case MatchRule::Code:    return "S#";
	case MatchRule::Text:    return "S=";
	case MatchRule::Regex:   return "S~";
	}
	return "S:";
}

std::optional<ServerLine> parseServerLine(std::string_view line)
{
	if (line.size() < 2 || line[0] != 'S') return std::nullopt;
	for (const auto& [mark, rule] : kRules)
	{
		if (line[1] != mark) continue;
		auto text = afterTag(line);
		if (!text) return std::nullopt;
		return ServerLine{rule, std::string(*text), 0};
	}
	return std::nullopt;
}

std::optional<std::string_view> parseClientLine(std::string_view line)
{
	if (!line.starts_with(kClientTag)) return std::nullopt;
	return afterTag(line);
}

std::string tagged(std::string_view tag, std::string_view text)
{
	std::string line(tag);
	if (!text.empty())
	{
		line += ' ';
		line += text;
	}
	return line;
}

std::optional<double> takeStamp(std::string_view& line)
{
	if (!line.starts_with('[')) return std::nullopt;
	std::size_t end = line.find("ms] ");
	if (end == std::string_view::npos) return std::nullopt;
	std::string_view number = line.substr(1, end - 1);
	number.remove_prefix(std::min(number.find_first_not_of(' '), number.size()));
	double ms = 0;
	auto [last, ec] = std::from_chars(number.data(), number.data() + number.size(), ms);
	if (ec != std::errc() || last != number.data() + number.size() || number.empty()) return std::nullopt;
	// No session lasts 30 years: such stamps (and inf, nan, negatives) are no stamps. formatStamp
	// cut longer ones short, and its output then read back as no transcript line (fuzz_transcript_import).
	if (!(ms >= 0 && ms < 1e12)) return std::nullopt;
	line.remove_prefix(end + 4);
	return ms;
}

std::string formatStamp(double ms)
{
	char stamp[32];
	std::snprintf(stamp, sizeof stamp, "[%7.1fms] ", ms);
	return stamp;
}

} // namespace smtpx::replay::syntax
