#include "lua/ScriptError.h"

#include "lua/Engine.h"
#include "lua/ReplyTable.h"

#include <array>
#include <utility>

namespace smtpx::lua {

namespace {

constexpr const char* kErrorType = "smtpx.Error";

// Phases the stdlib names in its errors; codes documented in README.md with the others.
constexpr std::array<std::pair<std::string_view, int>, 22> kCodes{{
	{"script", exit_code::kScript},
	{"usage", exit_code::kUsage},
	{"connect", exit_code::kConnect},
	{"expect", exit_code::kExpect},
	{"timeout", exit_code::kTimeout},
	{"eof", exit_code::kEof},
	{"tls", exit_code::kTls},
	{"protocol", exit_code::kProtocol},
	{"limit", exit_code::kLimit},
	{"replay", exit_code::kReplay},
	{"import", exit_code::kImport},
	{"banner", 20},
	{"ehlo", 21},
	{"starttls", 22},
	{"auth", 23},
	{"mail", 24},
	{"rcpt", 25},
	{"data", 26},
	{"dot", 27},
	{"quit", 28},
	{"partial", 29},
	{"failure", exit_code::kFailure},
}};

std::string stringField(lua_State* L, int index, const char* name)
{
	lua_getfield(L, index, name);
	std::string value = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
	lua_pop(L, 1);
	return value;
}

int errorToString(lua_State* L)
{
	std::string where = stringField(L, 1, "where");
	std::string message = stringField(L, 1, "message");
	// The stdlib's step that failed ("banner", "rcpt", ...) leads the message, so the user reads
	// which phase went wrong and not only the script line (issue #7).
	std::string phase = stringField(L, 1, "phase");
	if (!phase.empty() && !message.starts_with(phase + ":")) message = phase + ": " + message;
	lua_pushstring(L, (where.empty() ? message : where + " " + message).c_str());
	return 1;
}

bool isStdlibSource(lua_State* L, const lua_Debug& ar)
{
	const std::string& dir = Engine::of(L).settings().stdlibDir;
	std::string_view source(ar.source);
	return source.size() > dir.size() && source[0] == '@' && source.substr(1, dir.size()) == dir;
}

} // namespace

int exitCodeFor(std::string_view kindOrPhase)
{
	for (const auto& [name, code] : kCodes)
		if (name == kindOrPhase) return code;
	return exit_code::kScript;
}

std::string_view kindForExitCode(int code)
{
	for (const auto& [name, kindCode] : kCodes)
		if (kindCode == code) return name;
	return {};
}

std::string scriptWhere(lua_State* L)
{
	lua_Debug ar;
	for (int level = 0; lua_getstack(L, level, &ar); ++level)
	{
		lua_getinfo(L, "Sl", &ar);
		if (ar.currentline <= 0 || isStdlibSource(L, ar)) continue;
		return std::string(ar.short_src) + ":" + std::to_string(ar.currentline) + ":";
	}
	return {};
}

void raiseError(lua_State* L, std::string_view kind, std::string_view message, int extraIndex)
{
	if (extraIndex) extraIndex = lua_absindex(L, extraIndex);
	std::string where = scriptWhere(L);
	lua_createtable(L, 0, 4);
	if (extraIndex)
	{
		completeReply(L, extraIndex);
		lua_pushnil(L);
		while (lua_next(L, extraIndex))
		{
			lua_pushvalue(L, -2);
			lua_insert(L, -2);
			lua_settable(L, -4);
		}
	}
	lua_pushlstring(L, kind.data(), kind.size());
	lua_setfield(L, -2, "kind");
	lua_pushlstring(L, message.data(), message.size());
	lua_setfield(L, -2, "message");
	lua_pushstring(L, where.c_str());
	lua_setfield(L, -2, "where");
	luaL_setmetatable(L, kErrorType);
	lua_error(L);
	std::abort();  // lua_error does not return
}

namespace {

// describeError's work, for a protected call: (value) -> exit code, text.
int describeValue(lua_State* L)
{
	const int index = 1;
	if (lua_type(L, index) == LUA_TTABLE &&
		lua_getmetatable(L, index))
	{
		luaL_getmetatable(L, kErrorType);
		bool ours = lua_rawequal(L, -1, -2);
		lua_pop(L, 2);
		if (ours)
		{
			std::string phase = stringField(L, index, "phase");
			std::string kind = stringField(L, index, "kind");
			lua_getfield(L, index, "exit");
			int explicitCode = lua_isinteger(L, -1) ? static_cast<int>(lua_tointeger(L, -1)) : -1;
			lua_pop(L, 1);
			int code = explicitCode >= 0 ? explicitCode : exitCodeFor(phase.empty() ? kind : phase);
			lua_pushinteger(L, code);
			luaL_tolstring(L, index, nullptr);
			return 2;
		}
	}
	lua_pushinteger(L, exit_code::kScript);
	if (lua_type(L, index) == LUA_TSTRING)
	{
		lua_pushvalue(L, index);
		return 2;
	}
	lua_pushliteral(L, "script raised a non-string error: ");
	luaL_tolstring(L, index, nullptr);
	lua_concat(L, 2);
	return 2;
}

} // namespace

Failure describeError(lua_State* L, int index)
{
	index = lua_absindex(L, index);
	lua_pushcfunction(L, describeValue);
	lua_pushvalue(L, index);
	// The value may run code of the script's (__tostring, __index) that fails or loops until the
	// busy limit: that must not escape as an unprotected error, which aborts the process (#7).
	if (lua_pcall(L, 1, 2, 0) != LUA_OK)
	{
		lua_pop(L, 1);
		return {exit_code::kScript, "script raised an error value that cannot be shown (its __tostring failed)"};
	}
	Failure failure{static_cast<int>(lua_tointeger(L, -2)), lua_tostring(L, -1)};
	lua_pop(L, 2);
	return failure;
}

void registerErrorType(lua_State* L)
{
	luaL_newmetatable(L, kErrorType);
	lua_pushcfunction(L, errorToString);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
}

} // namespace smtpx::lua
