#include "replay/DialogueBuilder.h"

#include "lua/Codec.h"
#include "replay/Template.h"

#include <Poco/RegularExpression.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace smtpx::replay {

namespace {

constexpr std::array<std::string_view, 23> kVerbs{{
	"HELO", "EHLO", "LHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "VRFY", "EXPN", "HELP", "NOOP", "QUIT",
	"STARTTLS", "AUTH", "ETRN", "ATRN", "TURN", "XCLIENT", "XFORWARD", "SEND", "SOML", "SAML",
}};

std::string lowered(std::string text)
{
	std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
	return text;
}

std::optional<std::string> decodedOrNothing(std::string_view base64)
{
	try
	{
		return lua::codec::decodeBase64(base64);
	}
	catch (const std::invalid_argument&)
	{
		return std::nullopt;
	}
}

// The replies that can end message text whose "." a person left out of a paste.
bool endsMessage(const std::string& line)
{
	if (line.size() < 3 || !std::all_of(line.begin(), line.begin() + 3, [](unsigned char c) { return std::isdigit(c); }))
		return false;
	int code = std::stoi(line.substr(0, 3));
	return (code >= 250 && code < 300) || (code >= 400 && code < 600);
}

// Parts of reply text that change from run to run, and the placeholders that stand for them.
struct VariablePart
{
	VariablePart(const std::string& pattern, std::string replacement): regex(pattern), replacement(std::move(replacement)) {}

	Poco::RegularExpression regex;
	std::string replacement;
};

const std::deque<VariablePart>& variableParts()
{
	static const std::deque<VariablePart> parts = [] {
		std::deque<VariablePart> list;
		list.emplace_back("(queued as )[0-9A-Za-z][0-9A-Za-z._-]*", "$1{{queue_id}}");
		list.emplace_back("(\\bid ?= ?)[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}\\b", "$1{{queue_id}}");
		list.emplace_back(std::string(builtinPattern("date")), "{{date}}");
		list.emplace_back("\\[(IPv6:)?(?:\\d{1,3}(?:\\.\\d{1,3}){3}|[0-9A-Fa-f]*:[0-9A-Fa-f:.]+)\\]", "[$1{{ip}}]");
		return list;
	}();
	return parts;
}

} // namespace

DialogueBuilder::DialogueBuilder(Options options):
	_options(options)
{
}

bool DialogueBuilder::isCommand(std::string_view line)
{
	std::string verb = verbOf(line);
	std::size_t after = verb.size();
	bool wordEnds = after == line.size() || line[after] == ' ' || line[after] == ':';
	return wordEnds && std::find(kVerbs.begin(), kVerbs.end(), verb) != kVerbs.end();
}

std::string DialogueBuilder::verbOf(std::string_view line)
{
	std::string verb;
	for (char c : line)
	{
		if (!std::isalpha(static_cast<unsigned char>(c))) break;
		verb += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
	}
	return verb;
}

void DialogueBuilder::note(std::size_t line, std::string text)
{
	_notes.push_back({line, text});
	remark(StepKind::Note, std::move(text), line);
}

Step& DialogueBuilder::addStep(StepKind kind, std::size_t line, std::optional<double> atMs)
{
	Step& step = _transcript.steps.emplace_back();
	step.kind = kind;
	step.line = line;
	step.atMs = atMs;
	return step;
}

void DialogueBuilder::remark(StepKind kind, std::string text, std::size_t line, std::optional<double> atMs)
{
	addStep(kind, line, atMs).text = std::move(text);
}

void DialogueBuilder::startTls(std::size_t line, std::optional<double> atMs)
{
	addEvent(StepKind::StartTls, line, atMs);
	_tls = true;
	_transcript.setMeta("tls", "starttls");
}

void DialogueBuilder::serverCloses(std::size_t line, std::optional<double> atMs)
{
	addEvent(StepKind::Close, line, atMs);
}

void DialogueBuilder::addEvent(StepKind kind, std::size_t line, std::optional<double> atMs)
{
	checkNoOpenReply(line);
	addStep(kind, line, atMs);
}

void DialogueBuilder::checkNoOpenReply(std::size_t line) const
{
	if (_pending.empty()) return;
	throw ImportError(_pending.back().line, "the reply is not complete: this line ends in '-', and line " +
		std::to_string(line) + " is no server line");
}

void DialogueBuilder::addClientStep(std::string text, std::string verb, bool messageText, std::size_t line,
	std::optional<double> atMs)
{
	Step& step = addStep(StepKind::Client, line, atMs);
	step.text = std::move(text);
	step.verb = std::move(verb);
	step.messageText = messageText;
}

void DialogueBuilder::client(std::string_view text, std::size_t line, std::optional<double> atMs)
{
	checkNoOpenReply(line);
	if (_message.active)
		addMessageLine(text, line, atMs);
	else if (_auth.payloadNext)
		addPayload(text, line, atMs);
	else
		addCommand(text, line, atMs);
}

void DialogueBuilder::hiddenClient(std::size_t line, std::optional<double> atMs)
{
	checkNoOpenReply(line);
	if (_auth.payloadNext)
	{
		addPayload(std::nullopt, line, atMs);
		return;
	}
	if (!_greeted) repairGreeting(line);
	if (!_hiddenAuth.empty())
	{
		// The whole command was hidden because it carries the initial response.
		_auth = Auth{false, std::exchange(_hiddenAuth, {}), 0, {}};
		std::string text = "AUTH " + _auth.mechanism + " " + payloadPlaceholder(std::nullopt);
		++_auth.payloads;
		addCommandStep(std::move(text), "AUTH", line, atMs);
		return;
	}
	std::string name = "line" + std::to_string(line);
	note(line, "the recording hid this client line: replay sends the secret '" + name + "' in its place");
	addCommandStep("{{secret:" + name + "}}", "", line, atMs);
}

void DialogueBuilder::addMessageLine(std::string_view text, std::size_t line, std::optional<double> atMs)
{
	++_message.lines;
	addClientStep(_options.rewrite ? escapeLiteral(text) : std::string(text), "", true, line, atMs);
	if (text != ".") return;
	_message.active = false;
	_awaiting.push_back({".", line});
}

void DialogueBuilder::addPayload(std::optional<std::string_view> text, std::size_t line, std::optional<double> atMs)
{
	_auth.payloadNext = false;
	++_auth.payloads;
	bool keep = !_options.rewrite || (text && *text == "*");
	addClientStep(keep ? std::string(*text) : payloadPlaceholder(text), "", false, line, atMs);
	_awaiting.push_back({"AUTH", line});
}

void DialogueBuilder::addCommand(std::string_view text, std::size_t line, std::optional<double> atMs)
{
	if (!_greeted) repairGreeting(line);
	if (!_awaiting.empty() && _awaiting.back().verb == "DATA")
	{
		if (_awaiting.size() > 1)
			throw ImportError(line, "message text after the DATA at line " + std::to_string(_awaiting.back().line) +
				", but the command at line " + std::to_string(_awaiting.front().line) + " has no reply");
		repairMissing354(line);
		addMessageLine(text, line, atMs);
		return;
	}
	// session:send refuses these bytes in a command, so no replay could send it (issue #7).
	if (text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos)
		throw ImportError(line, "the command holds a CR, LF or NUL byte (a bare CR line end?): no replay can send it");
	std::string verb = verbOf(text);
	std::string stored = _options.rewrite ? escapeLiteral(text) : std::string(text);
	if (verb == "AUTH") startAuth(text, stored);
	addCommandStep(std::move(stored), verb, line, atMs);
}

void DialogueBuilder::addCommandStep(std::string text, std::string verb, std::size_t line, std::optional<double> atMs)
{
	_awaiting.push_back({verb, line});
	addClientStep(std::move(text), std::move(verb), false, line, atMs);
}

// An initial response on the AUTH line ("AUTH PLAIN AHVzZXIAcGFzcw==") is a payload too.
void DialogueBuilder::startAuth(std::string_view text, std::string& stored)
{
	std::string_view arguments = text.substr(std::min<std::size_t>(5, text.size()));
	std::size_t space = arguments.find(' ');
	std::string mechanism(arguments.substr(0, space));
	std::transform(mechanism.begin(), mechanism.end(), mechanism.begin(), [](unsigned char c) { return std::toupper(c); });
	_auth = Auth{false, mechanism, 0, {}};
	_hiddenAuth.clear();  // announced, but the command itself was shown
	if (!_options.rewrite || space == std::string_view::npos || arguments.substr(space + 1) == "=") return;
	stored = std::string(text.substr(0, 5 + space + 1)) + payloadPlaceholder(arguments.substr(space + 1));
	++_auth.payloads;
}

// AUTH payloads never go into a transcript: a placeholder names the secrets that make them.
std::string DialogueBuilder::payloadPlaceholder(std::optional<std::string_view> payload)
{
	std::string placeholder;
	if (_auth.mechanism == "LOGIN")
	{
		std::string prompt = lowered(_auth.prompt);
		bool user = prompt.find("user") != std::string::npos || (prompt.find("pass") == std::string::npos && _auth.payloads == 0);
		placeholder = user ? "{{secret:user:base64}}" : "{{secret:password:base64}}";
	}
	else if (_auth.mechanism == "PLAIN")
	{
		std::optional<std::string> decoded = payload ? decodedOrNothing(*payload) : std::nullopt;
		bool withoutAuthzid = !decoded || (decoded->starts_with('\0') && std::count(decoded->begin(), decoded->end(), '\0') == 2);
		placeholder = withoutAuthzid ? "{{auth-plain:user:password}}" : "{{secret:auth_plain:base64}}";
	}
	else if (_auth.mechanism == "CRAM-MD5")
		placeholder = "{{cram-md5:user:password}}";
	else
		placeholder = "{{secret:auth" + std::to_string(_auth.payloads + 1) + "}}";
	return placeholder;
}

void DialogueBuilder::server(ServerLine line, std::optional<double> atMs)
{
	if (_message.active)
	{
		if (!endsMessage(line.text))
			throw ImportError(line.line, "a server line inside the message text that began at line " +
				std::to_string(_message.start) + ", which has no end (a lone '.')");
		repairMissingDot(line.line);
	}
	std::optional<smtp::Reply> reply;
	try
	{
		reply = _parser.feed(line.text);
	}
	catch (const smtp::ProtocolError& e)
	{
		throw ImportError(line.line, std::string("not a server reply: ") + e.what());
	}
	if (_pending.empty()) _pendingAt = atMs;
	_pending.push_back(std::move(line));
	if (reply) finishReply(*reply);
}

void DialogueBuilder::finishReply(const smtp::Reply& reply)
{
	Step& step = addStep(StepKind::Reply, _pending.front().line, _pendingAt);
	step.reply = std::move(_pending);
	_pending.clear();
	if (_options.rewrite)
		for (auto& line : step.reply)
			if (line.rule == MatchRule::Default) line.text = rewrittenServerText(line.text);
	if (!_awaiting.empty())
	{
		step.verb = _awaiting.front().verb;
		_awaiting.pop_front();
	}
	_greeted = true;
	bool authContinues = reply.code == 334 && step.verb == "AUTH";
	if (authContinues) _auth.prompt = decodedOrNothing(reply.text()).value_or("");
	// A challenge (CRAM-MD5, ...) changes each time; LOGIN's prompts and PLAIN's empty 334 do not.
	bool challenge = authContinues && _auth.mechanism != "LOGIN" && _auth.mechanism != "PLAIN";
	if (challenge && _options.rewrite && step.reply[0].rule == MatchRule::Default) step.reply[0].text = "334 {{any}}";
	_auth.payloadNext = authContinues;
	if (reply.code == 354 && step.verb == "DATA") _message = {true, step.line, 0};
}

std::string DialogueBuilder::rewrittenServerText(const std::string& text) const
{
	std::string rewritten = escapeLiteral(text);
	for (const auto& part : variableParts()) part.regex.subst(rewritten, part.replacement, Poco::RegularExpression::RE_GLOBAL);
	return rewritten;
}

void DialogueBuilder::repairGreeting(std::size_t line)
{
	note(line, "no greeting before the first command: expecting a 220 reply there");
	server({MatchRule::Code, "220", 0});
}

void DialogueBuilder::repairMissing354(std::size_t line)
{
	note(line, "no reply to the DATA at line " + std::to_string(_awaiting.back().line) +
		": expecting a 354 before this message text");
	server({MatchRule::Code, "354", 0});
	_message.start = line;
}

void DialogueBuilder::repairMissingDot(std::size_t line)
{
	std::size_t dropped = 0;
	auto& steps = _transcript.steps;
	while (!steps.empty() && steps.back().kind == StepKind::Client && steps.back().messageText && steps.back().text.empty())
	{
		steps.pop_back();
		++dropped;
	}
	note(line, "the message text that began at line " + std::to_string(_message.start) +
		" has no lone '.': adding one before this reply" +
		(dropped ? " (and leaving out the " + std::to_string(dropped) + " blank line(s) before it)" : ""));
	addMessageLine(".", 0, std::nullopt);
}

Transcript DialogueBuilder::finish()
{
	if (!_pending.empty())
		throw ImportError(_pending.back().line, "the reply is not complete: its last line ends in '-'");
	if (_message.active)
		throw ImportError(_message.start, "the message text after this line has no end (a lone '.')");
	return std::move(_transcript);
}

} // namespace smtpx::replay
