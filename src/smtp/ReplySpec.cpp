#include "smtp/ReplySpec.h"

#include <algorithm>

#include <Poco/Exception.h>

#include <stdexcept>

namespace smtpx::smtp {

namespace {

// Poco's match() fills at most this many captures (its ovector holds 21 pairs).
constexpr int kMaxCaptures = 20;

bool isValidPatternChar(char c)
{
	return (c >= '0' && c <= '9') || c == 'x';
}

} // namespace

// The number of capture groups in a pattern that compiles. Poco drops trailing groups that did
// not participate from a match and has no API for the count, so ask PCRE: a back reference
// \g{n} appended as a new alternative compiles only while n <= the group count. The "\E" closes
// a pending \Q and the newline ends a (?x) comment, so the suffix is never swallowed.
int countCaptureGroups(const std::string& pattern)
{
	int count = 0;
	while (count <= kMaxCaptures)
	{
		try
		{
			Poco::RegularExpression probe(pattern + "\\E\n|\\g{" + std::to_string(count + 1) + "}", 0, false);
		}
		catch (const Poco::RegularExpressionException&)
		{
			break;
		}
		++count;
	}
	return count;
}

CodePattern::CodePattern(std::string_view pattern)
{
	for (char c : pattern)
		_pattern += (c == 'X') ? 'x' : c;
	const bool valid = _pattern.size() == 3 && (_pattern[0] == 'x' || (_pattern[0] >= '1' && _pattern[0] <= '5')) &&
		isValidPatternChar(_pattern[1]) && isValidPatternChar(_pattern[2]);
	if (!valid)
	{
		throw std::invalid_argument("invalid reply code pattern \"" + std::string(pattern) +
			"\": expected 3 characters, digits or 'x', the first 1-5 or 'x' (e.g. 250, 2xx, 55x)");
	}
}

CodePattern::CodePattern(int code)
{
	if (code < 100 || code > 599)
		throw std::invalid_argument("invalid reply code " + std::to_string(code) + ": expected 100-599");
	_pattern = std::to_string(code);
}

bool CodePattern::matches(int code) const
{
	if (code < 100 || code > 599)
		return false;
	const char digits[] = {static_cast<char>('0' + code / 100), static_cast<char>('0' + code / 10 % 10),
		static_cast<char>('0' + code % 10)};
	for (std::size_t i = 0; i < 3; ++i)
	{
		if (_pattern[i] != 'x' && _pattern[i] != digits[i])
			return false;
	}
	return true;
}

void ReplySpec::setRegex(const std::string& pattern)
{
	std::shared_ptr<Poco::RegularExpression> regex;
	try
	{
		regex = std::make_shared<Poco::RegularExpression>(pattern, Poco::RegularExpression::RE_MULTILINE);
	}
	catch (const Poco::RegularExpressionException& e)
	{
		throw std::invalid_argument("invalid regex /" + pattern + "/: " + e.message());
	}
	const int groups = countCaptureGroups(pattern);
	if (groups > kMaxCaptures)
	{
		throw std::invalid_argument("invalid regex /" + pattern + "/: more than " + std::to_string(kMaxCaptures) +
			" capture groups");
	}
	_regexSource = pattern;
	_regex = std::move(regex);
	_captureGroups = groups;
}

std::optional<std::vector<std::string>> ReplySpec::match(const Reply& reply) const
{
	if (!matchesCode(reply.code))
		return std::nullopt;
	std::vector<std::string> captures;
	if (!_regex)
		return captures;

	const std::string text = reply.text();
	Poco::RegularExpression::MatchVec matches;
	if (_regex->match(text, 0, matches) == 0)
		return std::nullopt;
	captures.resize(static_cast<std::size_t>(_captureGroups));
	for (std::size_t group = 1; group < matches.size() && group <= captures.size(); ++group)
	{
		const auto& m = matches[group];
		if (m.offset != std::string::npos)
			captures[group - 1] = text.substr(m.offset, m.length);
	}
	return captures;
}

std::string ReplySpec::describe() const
{
	std::string codes;
	for (const CodePattern& code : _codes)
	{
		if (!codes.empty())
			codes += " or ";
		codes += code.text();
	}
	const std::string regex = _regex ? "/" + _regexSource + "/" : std::string();
	if (codes.empty() && regex.empty())
		return "any reply";
	if (regex.empty())
		return codes;
	if (codes.empty())
		return regex;
	// Parenthesised so "2xx or 5xx and /x/" cannot be read as "2xx, or 5xx with /x/".
	return (_codes.size() > 1 ? "(" + codes + ")" : codes) + " and " + regex;
}

bool ReplySpec::matchesCode(int code) const
{
	return matchesAnyCode(_codes, code);
}

bool matchesAnyCode(const std::vector<CodePattern>& patterns, int code)
{
	return patterns.empty() ||
		std::any_of(patterns.begin(), patterns.end(), [code](const CodePattern& pattern) { return pattern.matches(code); });
}

} // namespace smtpx::smtp
