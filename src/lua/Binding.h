// Binding: helpers shared by the C functions scripts call.
#pragma once

#include "lua/LuaHeaders.h"
#include "lua/ScriptError.h"

#include <exception>
#include <string>

namespace smtpx::lua {

class Session;

// Wraps a C function so a C++ exception becomes a Lua error (kind "script") instead of
// unwinding through Lua. Lua's own errors and yields are not std::exceptions and pass through.
template <lua_CFunction F>
int protect(lua_State* L)
{
	std::string message;
	try
	{
		return F(L);
	}
	catch (const std::exception& e)
	{
		message = e.what();
	}
	raiseError(L, "script", message);
}

// The Session behind argument `index`; raises a Lua error for anything else.
Session& checkSession(lua_State* L, int index);

// Creates a session userdata (metatable "smtpx.Session") owning `session`, and pushes it.
void pushSession(lua_State* L, Session* session);

// Registers the "smtpx.Session" metatable; its method table is also smtp.Session, so the Lua
// side of the library can add methods written in Lua.
void registerSessionType(lua_State* L);

// Opens the global `smtp` table.
void openSmtpLibrary(lua_State* L);

// Seconds from an optional number field of the table at `index`, else `fallback`.
double optSecondsField(lua_State* L, int index, const char* name, double fallback);

} // namespace smtpx::lua
