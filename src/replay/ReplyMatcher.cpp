#include "replay/ReplyMatcher.h"

#include <Poco/Exception.h>
#include <Poco/RegularExpression.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace smtpx::replay {

namespace {

using Problem = std::optional<std::string>;

int codeOf(const std::string& line)
{
	bool valid = line.size() >= 3 && line[0] >= '1' && line[0] <= '5' && std::isdigit(static_cast<unsigned char>(line[1])) &&
		std::isdigit(static_cast<unsigned char>(line[2])) && (line.size() == 3 || line[3] == ' ' || line[3] == '-');
	if (!valid) throw std::invalid_argument("recorded server line without a reply code: \"" + line + "\"");
	return std::stoi(line.substr(0, 3));
}

// What follows "250-" or "250 ".
std::string textAfterCode(const std::string& line)
{
	return line.size() > 4 ? line.substr(4) : std::string();
}

bool regexFound(const std::string& pattern, const std::string& text)
{
	try
	{
		Poco::RegularExpression regex(pattern);
		Poco::RegularExpression::Match found;
		return regex.match(text, 0, found) > 0;
	}
	catch (const Poco::RegularExpressionException& e)
	{
		throw std::invalid_argument("bad regex /" + pattern + "/: " + e.message());
	}
}

// Compares the texts after the codes (the separators follow from the line's place in the reply).
bool textMatches(const std::string& expected, MatchRule rule, const std::string& actual, Captures& captures)
{
	if (rule == MatchRule::Regex) return regexFound(expected, actual);
	if (rule == MatchRule::Text) return TextPattern(expected, captures).matches(actual, captures);
	return true;
}

// The first line, and how many follow.
std::string summary(const std::string& first, std::size_t lines)
{
	return "\"" + first + "\"" + (lines > 1 ? " (+" + std::to_string(lines - 1) + " lines)" : "");
}

std::string expectedVsActual(const std::string& expected, const std::string& actual)
{
	return "expected \"" + expected + "\", got \"" + actual + "\"";
}

std::string keywordOf(const std::string& capability)
{
	std::string keyword = capability.substr(0, capability.find(' '));
	std::transform(keyword.begin(), keyword.end(), keyword.begin(), [](unsigned char c) { return std::toupper(c); });
	return keyword;
}

std::vector<std::string> wordsOf(const std::string& text)
{
	std::vector<std::string> words;
	std::size_t pos = 0;
	while ((pos = text.find_first_not_of(' ', pos)) != std::string::npos)
	{
		std::size_t end = text.find(' ', pos);
		words.push_back(text.substr(pos, end - pos));
		pos = end;
	}
	return words;
}

// A text capability whose whole text does not match may still list the same parameters in
// another order ("AUTH LOGIN PLAIN"), or more of them when extras are ignored.
bool parametersMatch(const std::string& expected, const std::string& actual, const MatchOptions& options, Captures& captures)
{
	std::vector<std::string> wanted = wordsOf(expected);
	std::vector<std::string> offered = wordsOf(actual);
	if (!options.ignoreExtras && wanted.size() != offered.size()) return false;
	for (const auto& word : wanted)
	{
		TextPattern pattern(word, captures);
		auto found = std::find_if(offered.begin(), offered.end(), [&](const std::string& w) { return pattern.matches(w, captures); });
		if (found == offered.end()) return false;
		offered.erase(found);
	}
	return true;
}

bool capabilityMatches(const std::string& expected, MatchRule rule, const std::string& actual, const MatchOptions& options,
	Captures& captures)
{
	if (textMatches(expected, rule, actual, captures)) return true;
	return rule == MatchRule::Text && parametersMatch(expected, actual, options, captures);
}

Problem compareCapabilities(const std::vector<ServerLine>& expected, const smtp::Reply& actual, const MatchOptions& options,
	Captures& captures)
{
	if (!textMatches(textAfterCode(expected[0].text), effectiveRule(expected[0], options.defaultRule), textAfterCode(actual.lines[0]), captures))
		return "EHLO greeting: " + expectedVsActual(expected[0].text, actual.lines[0]);
	std::vector<std::string> offered;
	for (std::size_t i = 1; i < actual.lines.size(); ++i) offered.push_back(textAfterCode(actual.lines[i]));
	std::vector<std::string> recordedKeywords;
	for (std::size_t i = 1; i < expected.size(); ++i)
	{
		std::string wanted = textAfterCode(expected[i].text);
		std::string keyword = keywordOf(wanted);
		recordedKeywords.push_back(keyword);
		MatchRule rule = effectiveRule(expected[i], options.defaultRule);
		if (rule == MatchRule::Code) continue;
		auto found = std::find_if(offered.begin(), offered.end(), [&](const std::string& c) { return keywordOf(c) == keyword; });
		if (found == offered.end()) return "the server does not offer " + keyword;
		if (!capabilityMatches(wanted, rule, *found, options, captures))
			return "the server offers " + *found + ", the transcript " + wanted;
	}
	if (options.ignoreExtras) return std::nullopt;
	for (const auto& capability : offered)
	{
		if (std::find(recordedKeywords.begin(), recordedKeywords.end(), keywordOf(capability)) == recordedKeywords.end())
			return "the server also offers " + capability + " (--ignore-extras allows that)";
	}
	return std::nullopt;
}

Problem compareLines(const std::vector<ServerLine>& expected, const smtp::Reply& actual, const MatchOptions& options,
	Captures& captures)
{
	if (expected.size() != actual.lines.size())
		return "expected " + std::to_string(expected.size()) + " reply lines, got " + std::to_string(actual.lines.size()) +
			": " + summary(actual.lines[0], actual.lines.size());
	for (std::size_t i = 0; i < expected.size(); ++i)
	{
		MatchRule rule = effectiveRule(expected[i], options.defaultRule);
		if (textMatches(textAfterCode(expected[i].text), rule, textAfterCode(actual.lines[i]), captures)) continue;
		std::string where = expected.size() == 1 ? "" : "line " + std::to_string(i + 1) + " of the reply: ";
		return where + expectedVsActual(expected[i].text, actual.lines[i]);
	}
	return std::nullopt;
}

} // namespace

std::optional<std::string> compareReply(const std::vector<ServerLine>& expected, const smtp::Reply& actual,
	bool ehlo, const MatchOptions& options, Captures& captures)
{
	if (expected.empty()) throw std::invalid_argument("a recorded reply needs at least one line");
	int code = codeOf(expected[0].text);
	Problem problem;
	Captures working = captures;
	bool codesOnly = std::all_of(expected.begin(), expected.end(),
		[&](const ServerLine& line) { return effectiveRule(line, options.defaultRule) == MatchRule::Code; });
	if (actual.code != code)
		problem = "expected " + summary(expected[0].text, expected.size()) + ", got " + summary(actual.lines[0], actual.lines.size());
	else if (codesOnly)
		return std::nullopt;
	else if (ehlo && expected.size() > 1)
		problem = compareCapabilities(expected, actual, options, working);
	else
		problem = compareLines(expected, actual, options, working);
	if (problem) return problem;
	captures = std::move(working);
	return std::nullopt;
}

MatchRule effectiveRule(const ServerLine& line, MatchRule defaultRule)
{
	if (line.rule != MatchRule::Default) return line.rule;
	for (const auto& part : parseTemplate(line.text))
		if (part.placeholder && part.hasArgument) return MatchRule::Text;
	return defaultRule;
}

MatchRule parseDefaultRule(std::string_view name)
{
	if (name == "code") return MatchRule::Code;
	if (name == "text") return MatchRule::Text;
	throw std::invalid_argument("match rule must be 'code' or 'text', not '" + std::string(name) + "'");
}

} // namespace smtpx::replay
