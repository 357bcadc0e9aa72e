#include "lua/ReplayLibrary.h"

#include "lua/Binding.h"
#include "replay/CanonicalWriter.h"
#include "replay/Importer.h"
#include "replay/LuaWriter.h"
#include "replay/ReplyMatcher.h"
#include "replay/Syntax.h"
#include "replay/Template.h"

#include <cstdlib>
#include <stdexcept>

namespace smtpx::lua {

namespace {

using Rewrites = std::vector<std::pair<std::string, std::string>>;

std::string stringField(lua_State* L, int index, const char* name)
{
	lua_getfield(L, index, name);
	std::string value = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
	lua_pop(L, 1);
	return value;
}

// dialogue.rewrite = {{"old", "new"}, ...}
Rewrites readRewrites(lua_State* L, int dialogue)
{
	Rewrites rewrites;
	lua_getfield(L, dialogue, "rewrite");
	if (lua_istable(L, -1))
	{
		for (lua_Integer i = 1; lua_geti(L, -1, i) == LUA_TTABLE; ++i)
		{
			lua_geti(L, -1, 1);
			lua_geti(L, -2, 2);
			if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING && lua_rawlen(L, -2) > 0)
				rewrites.emplace_back(lua_tostring(L, -2), lua_tostring(L, -1));
			lua_pop(L, 3);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return rewrites;
}

std::string rewritten(std::string text, const Rewrites& rewrites)
{
	for (const auto& [from, to] : rewrites)
	{
		for (std::size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
			text.replace(pos, from.size(), to);
	}
	return text;
}

replay::Captures readCaptures(lua_State* L, int dialogue)
{
	replay::Captures captures;
	lua_getfield(L, dialogue, "captures");
	if (lua_istable(L, -1))
	{
		lua_pushnil(L);
		while (lua_next(L, -2))
		{
			if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING)
				captures[lua_tostring(L, -2)] = lua_tostring(L, -1);
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	return captures;
}

void writeCaptures(lua_State* L, int dialogue, const replay::Captures& captures)
{
	lua_getfield(L, dialogue, "captures");
	if (!lua_istable(L, -1))
	{
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_setfield(L, dialogue, "captures");
	}
	for (const auto& [name, value] : captures)
	{
		lua_pushlstring(L, value.data(), value.size());
		lua_setfield(L, -2, name.c_str());
	}
	lua_pop(L, 1);
}

// dialogue.secrets[name], else the environment: a sandboxed script cannot read it itself.
std::optional<std::string> secretOf(lua_State* L, int dialogue, const std::string& name)
{
	int top = lua_gettop(L);
	std::optional<std::string> value;
	if (lua_getfield(L, dialogue, "secrets") == LUA_TTABLE && lua_getfield(L, -1, name.c_str()) == LUA_TSTRING)
		value = lua_tostring(L, -1);
	lua_settop(L, top);
	if (value) return value;
	if (const char* env = std::getenv(replay::secretVariable(name).c_str())) return std::string(env);
	return std::nullopt;
}

// smtp.replay.expand(template, dialogue) -> line, holds_secret
int replayExpand(lua_State* L)
{
	std::string text = luaL_checkstring(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	replay::Captures captures = readCaptures(L, 2);
	replay::ClientValues values;
	values.captures = &captures;
	values.secret = [L](const std::string& name) { return secretOf(L, 2, name); };
	values.challenge = stringField(L, 2, "challenge");
	replay::ExpandedLine line = replay::expandClientLine(rewritten(text, readRewrites(L, 2)), values);
	lua_pushlstring(L, line.text.data(), line.text.size());
	lua_pushboolean(L, line.secret);
	return 2;
}

std::vector<replay::ServerLine> readExpected(lua_State* L, int index, const Rewrites& rewrites)
{
	std::vector<replay::ServerLine> lines;
	lua_Integer n = luaL_len(L, index);
	for (lua_Integer i = 1; i <= n; ++i)
	{
		lua_geti(L, index, i);
		std::optional<replay::ServerLine> line;
		if (lua_type(L, -1) == LUA_TSTRING) line = replay::syntax::parseServerLine(lua_tostring(L, -1));
		lua_pop(L, 1);
		if (!line) throw std::invalid_argument("item " + std::to_string(i) + " is no server line (\"S: 250 Ok\", \"S= ...\")");
		line->text = rewritten(line->text, rewrites);
		lines.push_back(std::move(*line));
	}
	return lines;
}

smtp::Reply readReply(lua_State* L, int index)
{
	smtp::Reply reply;
	lua_getfield(L, index, "code");
	reply.code = static_cast<int>(luaL_checkinteger(L, -1));
	lua_getfield(L, index, "lines");
	luaL_checktype(L, -1, LUA_TTABLE);
	for (lua_Integer i = 1; lua_geti(L, -1, i) == LUA_TSTRING; ++i)
	{
		reply.lines.emplace_back(lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	lua_pop(L, 3);
	return reply;
}

bool boolField(lua_State* L, int index, const char* name)
{
	if (!lua_istable(L, index)) return false;
	lua_getfield(L, index, name);
	bool value = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return value;
}

// smtp.replay.check(lines, reply, dialogue [, {ehlo = true}]) -> nil, or what differs
int replayCheck(lua_State* L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checktype(L, 2, LUA_TTABLE);
	luaL_checktype(L, 3, LUA_TTABLE);
	std::vector<replay::ServerLine> expected = readExpected(L, 1, readRewrites(L, 3));
	smtp::Reply reply = readReply(L, 2);
	replay::MatchOptions options;
	std::string match = stringField(L, 3, "match");
	options.defaultRule = match.empty() ? replay::MatchRule::Code : replay::parseDefaultRule(match);
	options.ignoreExtras = stringField(L, 3, "extras") == "ignore";
	replay::Captures captures = readCaptures(L, 3);
	auto problem = replay::compareReply(expected, reply, boolField(L, 4, "ehlo"), options, captures);
	if (problem)
	{
		lua_pushstring(L, problem->c_str());
		return 1;
	}
	writeCaptures(L, 3, captures);
	lua_pushnil(L);
	return 1;
}

// smtp.replay.convert(text, "lua" | "canonical" [, {from=, source=}]) -> the transcript in `text`
// as smtpx convert writes it: a script for smtpx run, or the canonical form. The import on the
// way turns AUTH payloads into secret placeholders (unless `text` is canonical already). Raises
// kind "import" (exit 31) naming every line that does not import.
int replayConvert(lua_State* L)
{
	std::size_t length;
	const char* text = luaL_checklstring(L, 1, &length);
	std::string to = luaL_checkstring(L, 2);
	luaL_argcheck(L, to == "lua" || to == "canonical", 2, "must be \"lua\" or \"canonical\"");
	bool hasOptions = !lua_isnoneornil(L, 3);
	if (hasOptions) luaL_checktype(L, 3, LUA_TTABLE);
	std::string from = hasOptions ? stringField(L, 3, "from") : "";
	std::string source = hasOptions ? stringField(L, 3, "source") : "";
	if (source.empty()) source = "transcript";
	replay::ImportOptions options;
	options.format = replay::parseFormat(from);
	luaL_argcheck(L, from.empty() || options.format, 3, "from: not a transcript format");
	std::string converted, problems;
	try
	{
		replay::Transcript transcript = replay::importText(std::string_view(text, length), options).transcript;
		converted = to == "lua" ? replay::writeLua(transcript, source) : replay::writeCanonical(transcript);
	}
	catch (const replay::ImportError& e)
	{
		problems = e.describe(source);
	}
	if (!problems.empty()) raiseError(L, "import", problems);
	lua_pushlstring(L, converted.data(), converted.size());
	return 1;
}

void setString(lua_State* L, const char* name, const std::string& value)
{
	lua_pushlstring(L, value.data(), value.size());
	lua_setfield(L, -2, name);
}

void setInteger(lua_State* L, const char* name, lua_Integer value)
{
	lua_pushinteger(L, value);
	lua_setfield(L, -2, name);
}

void pushStep(lua_State* L, const replay::Step& step)
{
	lua_createtable(L, 0, 5);
	setInteger(L, "line", static_cast<lua_Integer>(step.line));
	if (step.atMs)
	{
		lua_pushnumber(L, *step.atMs);
		lua_setfield(L, -2, "at");
	}
	if (step.kind == replay::StepKind::StartTls || step.kind == replay::StepKind::Close)
	{
		setString(L, "kind", step.kind == replay::StepKind::Close ? "close" : "starttls");
		return;
	}
	if (step.kind == replay::StepKind::Client)
	{
		setString(L, "kind", "client");
		setString(L, "text", step.text);
		return;
	}
	setString(L, "kind", "reply");
	lua_createtable(L, static_cast<int>(step.reply.size()), 0);
	for (std::size_t i = 0; i < step.reply.size(); ++i)
	{
		std::string line = replay::syntax::tagged(replay::syntax::serverTag(step.reply[i].rule), step.reply[i].text);
		lua_pushlstring(L, line.data(), line.size());
		lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
	}
	lua_setfield(L, -2, "lines");
	lua_pushboolean(L, step.verb == "EHLO" || step.verb == "LHLO");
	lua_setfield(L, -2, "ehlo");
}

bool isReplayed(replay::StepKind kind)
{
	return kind == replay::StepKind::Client || kind == replay::StepKind::Reply || kind == replay::StepKind::StartTls ||
		kind == replay::StepKind::Close;
}

void pushTranscript(lua_State* L, const replay::Transcript& transcript, const std::string& name)
{
	lua_createtable(L, 0, 4);
	setString(L, "name", name);
	setString(L, "match", transcript.meta("match"));
	setString(L, "extras", transcript.meta("ehlo-extras"));
	lua_newtable(L);
	lua_Integer n = 0;
	for (const auto& step : transcript.steps)
	{
		if (!isReplayed(step.kind)) continue;
		pushStep(L, step);
		lua_rawseti(L, -2, ++n);
	}
	lua_setfield(L, -2, "steps");
}

void pushSettings(lua_State* L, const ReplaySettings& settings)
{
	lua_createtable(L, 0, 7);
	setString(L, "server", settings.server);
	lua_createtable(L, 0, static_cast<int>(settings.secrets.size()));
	for (const auto& [name, value] : settings.secrets) setString(L, name.c_str(), value);
	lua_setfield(L, -2, "secrets");
	lua_createtable(L, static_cast<int>(settings.rewrites.size()), 0);
	for (std::size_t i = 0; i < settings.rewrites.size(); ++i)
	{
		lua_createtable(L, 2, 0);
		lua_pushstring(L, settings.rewrites[i].first.c_str());
		lua_rawseti(L, -2, 1);
		lua_pushstring(L, settings.rewrites[i].second.c_str());
		lua_rawseti(L, -2, 2);
		lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
	}
	lua_setfield(L, -2, "rewrite");
	if (!settings.match.empty()) setString(L, "match", settings.match);
	if (settings.ignoreExtras) setString(L, "extras", "ignore");
	lua_pushboolean(L, settings.pace);
	lua_setfield(L, -2, "pace");
	lua_pushboolean(L, settings.keepGoing);
	lua_setfield(L, -2, "keep_going");
}

const luaL_Reg kFunctions[] = {
	{"expand", protect<replayExpand>},
	{"check", protect<replayCheck>},
	{"convert", protect<replayConvert>},
	{nullptr, nullptr},
};

} // namespace

void openReplayFunctions(lua_State* L)
{
	luaL_newlib(L, kFunctions);
	lua_setfield(L, -2, "replay");
}

std::size_t startReplay(Engine& engine, const replay::Transcript& transcript, const std::string& name,
	const std::string& label, const ReplaySettings& settings)
{
	lua_State* L = engine.state();
	lua_getglobal(L, "require");
	lua_pushliteral(L, "smtpx.replay");
	if (lua_pcall(L, 1, 1, 0) != LUA_OK)
	{
		std::string message = lua_tostring(L, -1);
		lua_pop(L, 1);
		throw std::runtime_error("cannot load smtpx.replay: " + message);
	}
	lua_getfield(L, -1, "run");
	lua_remove(L, -2);
	pushTranscript(L, transcript, name);
	pushSettings(L, settings);
	return engine.scheduler().spawn(L, 2, label);
}

} // namespace smtpx::lua
