#include "replay/LuaWriter.h"

#include "replay/ReplyMatcher.h"
#include "replay/Syntax.h"
#include "replay/Template.h"

#include <algorithm>
#include <cstdio>

namespace smtpx::replay {

namespace {

std::string luaString(std::string_view text)
{
	std::string quoted = "\"";
	for (unsigned char c : text)
	{
		if (c == '"' || c == '\\')
		{
			quoted += '\\';
			quoted += static_cast<char>(c);
		}
		else if (c < 0x20 || c == 0x7f)
		{
			char escape[8];
			std::snprintf(escape, sizeof escape, "\\%03u", c);
			quoted += escape;
		}
		else
			quoted += static_cast<char>(c);
	}
	return quoted + "\"";
}

// A line of Lua comment: no line break may end it early.
std::string comment(std::string_view text)
{
	std::string line = "-- ";
	for (char c : text) line += (c == '\n' || c == '\r') ? ' ' : c;
	return line;
}

// The text to send when the template holds no placeholder ("\{{" is a literal "{{").
std::optional<std::string> literalText(const std::string& text)
{
	std::string literal;
	for (const auto& part : parseTemplate(text))
	{
		if (part.placeholder) return std::nullopt;
		literal += part.text;
	}
	return literal;
}

class Writer
{
public:
	explicit Writer(MatchRule defaultRule): _defaultRule(defaultRule) {}

	void step(const Step& step)
	{
		switch (step.kind)
		{
		case StepKind::Client: client(step); break;
		case StepKind::Reply: reply(step); break;
		case StepKind::StartTls: line("s:starttls()"); break;
		case StepKind::Close: line("d:expect_close()"); break;
		case StepKind::Info: line(comment("=== " + step.text)); break;
		case StepKind::Error: line(comment("*** " + step.text)); break;
		case StepKind::Note: line(comment(step.text)); break;
		}
	}

	const std::string& text() const { return _out; }

private:
	void line(const std::string& text)
	{
		_out += text;
		_out += '\n';
	}

	void client(const Step& step)
	{
		std::optional<std::string> literal = literalText(step.text);
		if (!literal)
		{
			line("d:send(" + luaString(step.text) + ")");
			return;
		}
		line("s:send(" + luaString(*literal) + ")");
		if (step.verb == "QUIT") line("s:half_close()  -- some servers (Exim) answer QUIT only then");
	}

	void reply(const Step& step)
	{
		bool codesOnly = std::all_of(step.reply.begin(), step.reply.end(),
			[&](const ServerLine& l) { return effectiveRule(l, _defaultRule) == MatchRule::Code; });
		// The dialogue keeps a 334's challenge for {{cram-md5:...}}: AUTH replies go through it.
		bool authChallenge = step.verb == "AUTH" && step.reply[0].text.starts_with("334");
		if (codesOnly && !authChallenge)
		{
			std::string more = step.reply.size() > 1 ? " (+" + std::to_string(step.reply.size() - 1) + " lines)" : "";
			line("s:expect(" + step.reply[0].text.substr(0, 3) + ")  " + comment(step.reply[0].text + more));
			return;
		}
		std::string call = "d:expect({";
		for (const auto& server : step.reply)
			call += "\n\t" + luaString(syntax::tagged(syntax::serverTag(server.rule), server.text)) + ",";
		bool ehlo = step.verb == "EHLO" || step.verb == "LHLO";
		line(call + "\n}" + (ehlo ? ", {ehlo = true})" : ")"));
	}

	MatchRule _defaultRule;
	std::string _out;
};

std::string header(const Transcript& transcript, const std::string& source, const std::string& match)
{
	std::string extras = transcript.meta("ehlo-extras").empty() ? "" : ", extras = " + luaString(transcript.meta("ehlo-extras"));
	std::string recorded = transcript.meta("server").empty() ? "" : " (recorded against " + transcript.meta("server") + ")";
	return "--- converted: replays " + source + recorded + "\n"
		"-- Made by `smtpx convert --to lua`; run it with `smtpx run FILE --server HOST:PORT`, secrets\n"
		"-- ({{secret:NAME}}) with --set NAME=VALUE. Replies in d:expect are spelt as in a transcript\n"
		"-- (docs/transcripts.md): \"S: \" compares as `match` says, \"S= \" the text with {{placeholders}},\n"
		"-- \"S~ \" a regex, \"S# \" the code only.\n"
		"local replay = require(\"smtpx.replay\")\n"
		"\n"
		"local s = smtp.connect(server or " + luaString(transcript.meta("server").empty() ? "localhost:25" : transcript.meta("server")) + ")\n"
		"local d = replay.dialogue(s, {match = " + luaString(match) + extras + ", secrets = params})\n"
		"\n";
}

} // namespace

std::string writeLua(const Transcript& transcript, const std::string& source)
{
	std::string match = transcript.meta("match").empty() ? "code" : transcript.meta("match");
	Writer writer(parseDefaultRule(match));
	for (const auto& step : transcript.steps) writer.step(step);
	return header(transcript, source, match) + writer.text() + "s:close()\n";
}

} // namespace smtpx::replay
