#include "replay/Template.h"

#include "lua/Codec.h"
#include "smtp/ReplySpec.h"

#include <Poco/Exception.h>

#include <cctype>
#include <stdexcept>

namespace smtpx::replay {

namespace {

// Placeholders for the parts of server text that change from run to run.
const std::map<std::string, std::string, std::less<>> kBuiltins = {
	{"queue_id", "[0-9A-Za-z][0-9A-Za-z._-]*"},
	{"date", "(?:[A-Za-z]{3},\\s*)?\\d{1,2}\\s+[A-Za-z]{3}\\s+\\d{2,4}\\s+\\d{1,2}:\\d{2}(?::\\d{2})?"
		"(?:\\s*(?:[+-]\\d{4}|[A-Za-z]{1,5}))?(?:\\s*\\([^)]*\\))?"},
	{"ip", "[0-9A-Fa-f]*[.:][0-9A-Fa-f.:]*"},
	{"any", ".*"},
};

bool isNameStart(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool isNameChar(char c)
{
	return isNameStart(c) || (c >= '0' && c <= '9') || c == '-';
}

bool isName(std::string_view text)
{
	if (text.empty() || !isNameStart(text[0])) return false;
	for (char c : text)
		if (!isNameChar(c)) return false;
	return true;
}

// Where the "}}" that closes a placeholder starts. Braces inside (a regex's "{2}") nest, and a
// backslash escapes the character after it.
std::size_t closingBraces(std::string_view text, std::size_t from)
{
	int depth = 0;
	for (std::size_t i = from; i < text.size(); ++i)
	{
		char c = text[i];
		if (c == '\\')
			++i;
		else if (c == '{')
			++depth;
		else if (c == '}' && depth > 0)
			--depth;
		else if (c == '}' && i + 1 < text.size() && text[i + 1] == '}')
			return i;
	}
	return std::string_view::npos;
}

TemplatePart placeholderOf(std::string_view inner)
{
	TemplatePart part;
	part.placeholder = true;
	std::size_t colon = inner.find(':');
	part.text = std::string(inner.substr(0, colon));
	if (colon != std::string_view::npos)
	{
		part.hasArgument = true;
		part.argument = std::string(inner.substr(colon + 1));
	}
	if (!isName(part.text))
		throw std::invalid_argument("{{" + std::string(inner) + "}}: a placeholder starts with a name (letters, digits, _ and -)");
	return part;
}

std::string quoteRegex(std::string_view text)
{
	std::string quoted;
	for (char c : text)
	{
		auto byte = static_cast<unsigned char>(c);
		bool plain = byte >= 0x80 || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
		if (!plain) quoted += '\\';
		quoted += c;
	}
	return quoted;
}

std::string braced(const TemplatePart& part)
{
	return "{{" + part.text + (part.hasArgument ? ":" + part.argument : "") + "}}";
}

std::vector<std::string> splitArguments(const std::string& argument)
{
	std::vector<std::string> items;
	std::size_t start = 0;
	while (true)
	{
		std::size_t colon = argument.find(':', start);
		items.push_back(argument.substr(start, colon - start));
		if (colon == std::string::npos) return items;
		start = colon + 1;
	}
}

// The placeholders a client line may hold.
enum class ClientKind { Capture, Secret, Secret64, AuthPlain, CramMd5, Anything };

struct ClientPlaceholder
{
	ClientKind kind;
	std::vector<std::string> names;  // the capture, or the secrets it uses
};

ClientPlaceholder classifyClientPart(const TemplatePart& part)
{
	if (!part.hasArgument)
	{
		if (part.text == "secret" || part.text == "auth-plain" || part.text == "cram-md5")
			throw std::invalid_argument(braced(part) + ": needs the names of its secrets after ':'");
		if (kBuiltins.count(part.text)) return {ClientKind::Anything, {part.text}};
		return {ClientKind::Capture, {part.text}};
	}
	std::vector<std::string> args = splitArguments(part.argument);
	for (const auto& name : args)
		if (!isName(name)) throw std::invalid_argument(braced(part) + ": '" + name + "' is not a secret name");
	if (part.text == "secret" && args.size() == 1) return {ClientKind::Secret, args};
	if (part.text == "secret" && args.size() == 2 && args[1] == "base64") return {ClientKind::Secret64, {args[0]}};
	if (part.text == "auth-plain" && args.size() == 2) return {ClientKind::AuthPlain, args};
	if (part.text == "cram-md5" && args.size() == 2) return {ClientKind::CramMd5, args};
	throw std::invalid_argument(braced(part) + ": a client line may hold {{NAME}}, {{secret:NAME}}, "
		"{{secret:NAME:base64}}, {{auth-plain:USER:PASS}} or {{cram-md5:USER:PASS}}");
}

std::string secretValue(const ClientValues& values, const std::string& name)
{
	std::optional<std::string> value = values.secret ? values.secret(name) : std::nullopt;
	if (!value)
		throw std::invalid_argument("no value for the secret '" + name + "': give it with --set " + name +
			"=VALUE or in the environment as " + secretVariable(name));
	return *value;
}

std::string cramMd5Response(const ClientValues& values, const ClientPlaceholder& placeholder)
{
	std::string challenge;
	try
	{
		challenge = lua::codec::decodeBase64(values.challenge);
	}
	catch (const std::invalid_argument&)
	{
		throw std::invalid_argument("{{cram-md5}}: the last 334 reply holds no base64 challenge");
	}
	std::string user = secretValue(values, placeholder.names[0]);
	std::string digest = lua::codec::hmacMd5Hex(secretValue(values, placeholder.names[1]), challenge);
	return lua::codec::encodeBase64(user + " " + digest);
}

std::string clientValue(const ClientValues& values, const ClientPlaceholder& placeholder)
{
	switch (placeholder.kind)
	{
	case ClientKind::Capture:
		if (values.captures)
		{
			auto found = values.captures->find(placeholder.names[0]);
			if (found != values.captures->end()) return found->second;
		}
		throw std::invalid_argument("{{" + placeholder.names[0] + "}}: no server reply captured it yet");
	case ClientKind::Secret:
		return secretValue(values, placeholder.names[0]);
	case ClientKind::Secret64:
		return lua::codec::encodeBase64(secretValue(values, placeholder.names[0]));
	case ClientKind::AuthPlain:
		return lua::codec::encodeBase64(std::string(1, '\0') + secretValue(values, placeholder.names[0]) +
			std::string(1, '\0') + secretValue(values, placeholder.names[1]));
	case ClientKind::CramMd5:
		return cramMd5Response(values, placeholder);
	case ClientKind::Anything:
		throw std::invalid_argument("{{" + placeholder.names[0] + "}} stands for what a client may send (smtpx "
			"serve-transcript); a replay has nothing to send for it");
	}
	return {};
}

} // namespace

std::vector<TemplatePart> parseTemplate(std::string_view text)
{
	std::vector<TemplatePart> parts;
	std::string literal;
	std::size_t pos = 0;
	while (pos < text.size())
	{
		if (text.compare(pos, 3, "\\{{") == 0)
		{
			literal += "{{";
			pos += 3;
			continue;
		}
		if (text.compare(pos, 2, "{{") != 0)
		{
			literal += text[pos++];
			continue;
		}
		std::size_t end = closingBraces(text, pos + 2);
		if (end == std::string_view::npos)
			throw std::invalid_argument("\"{{\" without its \"}}\" (write \\{{ for a literal {{)");
		if (!literal.empty()) parts.push_back({false, std::move(literal), {}, false});
		literal.clear();
		parts.push_back(placeholderOf(text.substr(pos + 2, end - pos - 2)));
		pos = end + 2;
	}
	if (!literal.empty()) parts.push_back({false, std::move(literal), {}, false});
	return parts;
}

std::string secretVariable(std::string_view name)
{
	std::string variable = "SMTPX_SECRET_";
	for (char c : name) variable += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
	return variable;
}

std::string_view builtinPattern(std::string_view name)
{
	auto found = kBuiltins.find(name);
	return found == kBuiltins.end() ? std::string_view() : std::string_view(found->second);
}

std::string escapeLiteral(std::string_view text)
{
	std::string escaped;
	std::size_t pos = 0;
	while (true)
	{
		std::size_t found = text.find("{{", pos);
		escaped.append(text.substr(pos, found - pos));
		if (found == std::string_view::npos) return escaped;
		escaped += "\\{{";
		pos = found + 2;
	}
}

TextPattern::TextPattern(std::string_view templateText, const Captures& known)
{
	std::string regex = "^";
	int groups = 0;
	std::map<std::string, int> local;
	for (const TemplatePart& part : parseTemplate(templateText))
	{
		if (!part.placeholder)
		{
			regex += quoteRegex(part.text);
			continue;
		}
		auto builtin = kBuiltins.find(part.text);
		auto earlier = local.find(part.text);
		auto captured = known.find(part.text);
		if (builtin != kBuiltins.end() && !part.hasArgument)
			regex += "(?:" + builtin->second + ")";
		else if (builtin != kBuiltins.end() || part.text == "secret")
			throw std::invalid_argument(braced(part) + ": '" + part.text + "' is a reserved name");
		else if (earlier != local.end())
			regex += "\\g{" + std::to_string(earlier->second) + "}";
		else if (captured != known.end())
			regex += quoteRegex(captured->second);
		else if (!part.hasArgument)
			throw std::invalid_argument(braced(part) + ": no earlier line captures '" + part.text +
				"' (and it is none of queue_id, date, ip, any)");
		else
		{
			local[part.text] = ++groups;
			_groups.emplace_back(part.text, groups);
			regex += "(" + part.argument + ")";
			groups += smtp::countCaptureGroups(part.argument);
		}
	}
	regex += "$";
	try
	{
		_regex = std::make_shared<const Poco::RegularExpression>(regex);
	}
	catch (const Poco::RegularExpressionException& e)
	{
		throw std::invalid_argument("bad regex in \"" + std::string(templateText) + "\": " + e.message());
	}
}

bool TextPattern::matches(const std::string& text, Captures& captures) const
{
	Poco::RegularExpression::MatchVec found;
	if (_regex->match(text, 0, found) == 0) return false;
	for (const auto& [name, group] : _groups)
	{
		std::size_t index = static_cast<std::size_t>(group);
		if (index < found.size() && found[index].offset != std::string::npos)
			captures[name] = text.substr(found[index].offset, found[index].length);
	}
	return true;
}

void TextPattern::addCaptureNames(std::string_view templateText, std::set<std::string>& names)
{
	for (const TemplatePart& part : parseTemplate(templateText))
		if (part.placeholder && part.hasArgument) names.insert(part.text);
}

std::string renderServerLine(std::string_view templateText, const ServerValues& values)
{
	const std::map<std::string, std::string, std::less<>> builtins = {
		{"queue_id", values.queueId}, {"date", values.date}, {"ip", values.ip}, {"any", ""}};
	std::string line;
	for (const TemplatePart& part : parseTemplate(templateText))
	{
		auto builtin = builtins.find(part.text);
		if (!part.placeholder)
			line += part.text;
		else if (builtin != builtins.end() && !part.hasArgument)
			line += builtin->second;
		else
			throw std::invalid_argument(braced(part) + ": a server playing the transcript has no value to send for it");
	}
	return line;
}

ClientPattern::ClientPattern(std::string_view templateText, bool caseless)
{
	std::string regex = "^";
	for (const TemplatePart& part : parseTemplate(templateText)) regex += part.placeholder ? ".*" : quoteRegex(part.text);
	regex += "$";
	_regex = std::make_shared<const Poco::RegularExpression>(regex, caseless ? Poco::RegularExpression::RE_CASELESS : 0);
}

bool ClientPattern::matches(const std::string& line) const
{
	Poco::RegularExpression::Match found;
	return _regex->match(line, 0, found) > 0;
}

ExpandedLine expandClientLine(std::string_view templateText, const ClientValues& values)
{
	ExpandedLine line;
	for (const TemplatePart& part : parseTemplate(templateText))
	{
		if (!part.placeholder)
		{
			line.text += part.text;
			continue;
		}
		ClientPlaceholder placeholder = classifyClientPart(part);
		line.text += clientValue(values, placeholder);
		line.secret = line.secret || (placeholder.kind != ClientKind::Capture && placeholder.kind != ClientKind::Anything);
	}
	return line;
}

void checkClientTemplate(std::string_view templateText, const std::set<std::string>& captureNames)
{
	for (const TemplatePart& part : parseTemplate(templateText))
	{
		if (!part.placeholder) continue;
		ClientPlaceholder placeholder = classifyClientPart(part);
		if (placeholder.kind == ClientKind::Capture && !captureNames.count(part.text))
			throw std::invalid_argument(braced(part) + ": no earlier server line captures '" + part.text + "'");
	}
}

void addSecretNames(std::string_view templateText, std::set<std::string>& names)
{
	for (const TemplatePart& part : parseTemplate(templateText))
	{
		if (!part.placeholder) continue;
		ClientPlaceholder placeholder = classifyClientPart(part);
		bool secret = placeholder.kind != ClientKind::Capture && placeholder.kind != ClientKind::Anything;
		if (secret) names.insert(placeholder.names.begin(), placeholder.names.end());
	}
}

} // namespace smtpx::replay
