#include "lua/ConsoleLibrary.h"

#include "lua/Binding.h"
#include "lua/Console.h"
#include "lua/Engine.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace smtpx::lua {

namespace {

// smtp.read_line([prompt [, {timeout=}]]) -> line | nil (end of input) | nil, "timeout" |
// nil, "error", message
int smtpReadLine(lua_State* L)
{
	const char* prompt = luaL_optstring(L, 1, "");
	if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
	double timeout = optSecondsField(L, 2, "timeout", HUGE_VAL);
	Scheduler::RunId run = Engine::of(L).scheduler().runOfWaiter(L);
	Console& console = Console::of(L);
	if (int n = console.takeLine(L)) return n;
	console.waitForLine(L, run, prompt, timeout);
	return Engine::of(L).scheduler().wait(L);
}

void pushFailure(lua_State* L, const std::runtime_error& e)
{
	lua_pushnil(L);
	lua_pushstring(L, e.what());
}

// smtp.add_history(line) -> true | nil, message (the history file could not be written)
int smtpAddHistory(lua_State* L)
{
	std::string line = luaL_checkstring(L, 1);
	try
	{
		Console::of(L).addHistory(line);
	}
	catch (const std::runtime_error& e)
	{
		pushFailure(L, e);
		return 2;
	}
	lua_pushboolean(L, 1);
	return 1;
}

// smtp.open_history(path [, max_entries]) -> true | nil, message
int smtpOpenHistory(lua_State* L)
{
	std::string path = luaL_checkstring(L, 1);
	lua_Integer entries = luaL_optinteger(L, 2, static_cast<lua_Integer>(Console::kDefaultHistoryEntries));
	luaL_argcheck(L, entries > 0, 2, "must be a positive number of lines");
	try
	{
		Console::of(L).openHistory(path, static_cast<std::size_t>(entries));
	}
	catch (const std::runtime_error& e)
	{
		pushFailure(L, e);
		return 2;
	}
	lua_pushboolean(L, 1);
	return 1;
}

const luaL_Reg kConsoleFunctions[] = {
	{"read_line", protect<smtpReadLine>},
	{"add_history", protect<smtpAddHistory>},
	{"open_history", protect<smtpOpenHistory>},
	{nullptr, nullptr},
};

} // namespace

void openConsoleFunctions(lua_State* L)
{
	luaL_setfuncs(L, kConsoleFunctions, 0);
	lua_pushboolean(L, Console::editsLines());
	lua_setfield(L, -2, "line_editing");
}

} // namespace smtpx::lua
