// ReplySpec: what an expect step accepts, and matching a Reply against it.
#pragma once

#include "smtp/Reply.h"

#include <Poco/RegularExpression.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace smtpx::smtp {

// One accepted code pattern: "250", "2xx", "25x", "5x1" ('x' or 'X' is any digit).
class CodePattern
{
public:
	// Throws std::invalid_argument for anything but three characters of digits/x with the first
	// a digit 1-5 or x.
	explicit CodePattern(std::string_view pattern);
	explicit CodePattern(int code);
	bool matches(int code) const;
	const std::string& text() const { return _pattern; }

private:
	std::string _pattern;
};

class ReplySpec
{
public:
	// Any code; a regex alone or codes alone, or both (a reply must match a code AND the regex).
	ReplySpec() = default;
	void addCode(CodePattern pattern) { _codes.push_back(std::move(pattern)); }
	// PCRE, multi-line (^ and $ at each line), searched in Reply::text(). Throws
	// std::invalid_argument with PCRE's message for a bad pattern.
	void setRegex(const std::string& pattern);

	// nullopt when the reply does not match; else the regex captures (empty without a regex;
	// an unset optional group gives an empty string).
	std::optional<std::vector<std::string>> match(const Reply& reply) const;

	// Human-readable form for error messages: "250", "2xx or 5xx", "/^250 ok/", "250 and /x/".
	std::string describe() const;

private:
	bool matchesCode(int code) const;

	std::vector<CodePattern> _codes;
	std::string _regexSource;
	std::shared_ptr<Poco::RegularExpression> _regex;
	int _captureGroups = 0;
};

// Whether `code` matches one of `patterns`; with no patterns, any code does.
bool matchesAnyCode(const std::vector<CodePattern>& patterns, int code);

// The number of capture groups in a pattern that compiles (stops counting past 21).
int countCaptureGroups(const std::string& pattern);

} // namespace smtpx::smtp
