// Template: the {{placeholders}} of transcript lines (docs/transcripts.md, "Placeholders").
//   Server lines, for parts that change between runs: {{queue_id}} {{date}} {{ip}} {{any}};
//   {{NAME:REGEX}} matches REGEX and captures it as NAME; {{NAME}} is what NAME captured.
//   Client lines, filled in when sent: {{NAME}} (a capture), {{secret:NAME}},
//   {{secret:NAME:base64}}, {{auth-plain:USER:PASS}} and {{cram-md5:USER:PASS}} (USER and PASS
//   name secrets; CRAM-MD5 answers the challenge of the last 334 reply). When smtpx plays the
//   server, any placeholder in a client line matches any text (so "C: EHLO {{any}}").
//   "\{{" stands for a literal "{{".
#pragma once

#include <Poco/RegularExpression.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace smtpx::replay {

using Captures = std::map<std::string, std::string>;

struct TemplatePart
{
	bool placeholder = false;
	std::string text;       // the literal text, or the placeholder's name
	std::string argument;   // what follows the name's ':' ("[0-9]+" in {{id:[0-9]+}})
	bool hasArgument = false;
};

// Splits a template into literal text and placeholders. Throws std::invalid_argument for a "{{"
// without its "}}" or a placeholder without a valid name.
std::vector<TemplatePart> parseTemplate(std::string_view text);

// `text` as a template that stands for itself: each "{{" becomes "\{{".
std::string escapeLiteral(std::string_view text);

// The regex behind {{queue_id}}, {{date}}, {{ip}} or {{any}}; "" for any other name.
std::string_view builtinPattern(std::string_view name);

// The text of a server line (after its code) as a pattern that must match all of it.
class TextPattern
{
public:
	// `known` holds what earlier lines captured: {{NAME}} and {{NAME:REGEX}} match that value
	// only. Throws std::invalid_argument for an unknown placeholder, a {{NAME}} nothing captured
	// or a bad regex.
	TextPattern(std::string_view templateText, const Captures& known);

	// On a match, adds what the pattern captured to `captures` and returns true.
	bool matches(const std::string& text, Captures& captures) const;

	// The names a template captures (for checking the later lines of a transcript).
	static void addCaptureNames(std::string_view templateText, std::set<std::string>& names);

private:
	std::shared_ptr<const Poco::RegularExpression> _regex;
	std::vector<std::pair<std::string, int>> _groups;  // capture name, group number
};

// What a server playing a transcript (smtpx serve-transcript) puts for the builtin placeholders.
struct ServerValues
{
	std::string queueId;
	std::string date;
	std::string ip;
};

// A server line's template as the text to send ({{any}} is left empty). Throws
// std::invalid_argument for a capture or a {{NAME}}: a server playing a transcript has no value
// for them.
std::string renderServerLine(std::string_view templateText, const ServerValues& values);

// A client line's template as a pattern a received line must match: literal text as it stands,
// each placeholder any text (a secret, a capture). `caseless` for commands ("mail from:").
class ClientPattern
{
public:
	ClientPattern(std::string_view templateText, bool caseless);
	bool matches(const std::string& line) const;

private:
	std::shared_ptr<const Poco::RegularExpression> _regex;
};

// What a client line's placeholders are filled with.
struct ClientValues
{
	const Captures* captures = nullptr;
	// The value of a secret, or nothing when it is not given.
	std::function<std::optional<std::string>(const std::string&)> secret;
	std::string challenge;  // the text of the last 334 reply (base64)
};

struct ExpandedLine
{
	std::string text;
	bool secret = false;  // holds a secret: never print it
};

// The environment variable that holds a secret when no --set gives it: SMTPX_SECRET_USER for
// "user" ("-" becomes "_").
std::string secretVariable(std::string_view name);

// Throws std::invalid_argument naming the placeholder that has no value.
ExpandedLine expandClientLine(std::string_view templateText, const ClientValues& values);

// Throws std::invalid_argument for a placeholder a client line cannot hold, or a capture that
// no earlier line makes (`captureNames`).
void checkClientTemplate(std::string_view templateText, const std::set<std::string>& captureNames);

// The secrets a client line needs ("user", "password").
void addSecretNames(std::string_view templateText, std::set<std::string>& names);

} // namespace smtpx::replay
