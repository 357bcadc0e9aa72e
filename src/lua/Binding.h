// Binding: helpers shared by the C functions scripts call.
#pragma once

#include "lua/LuaHeaders.h"
#include "lua/ScriptError.h"
#include "net/TlsOptions.h"

#include <exception>
#include <optional>
#include <string>

namespace smtpx::lua {

class Session;

// Wraps a C function so a C++ exception becomes a Lua error (kind "script") instead of
// unwinding through Lua. Lua's own errors and yields are not std::exceptions and pass through.
// No local here has a destructor: a task dropped while F waits is never unwound (Fiber.h).
template <lua_CFunction F>
int protect(lua_State* L)
{
	try
	{
		return F(L);
	}
	catch (const std::exception& e)
	{
		lua_pushstring(L, e.what());
	}
	raiseError(L, "script", lua_tostring(L, -1));
}

// The Session behind argument `index`; raises a Lua error for anything else.
Session& checkSession(lua_State* L, int index);

// Raises, when the session's connection is closed, why it closed (the server hung up, a protocol
// error, the script closed it) with that error's kind, so the message names what went wrong:
// "send: connection closed by server". `what` names the call.
void checkOpen(lua_State* L, Session& session, const char* what);

// Creates a session userdata (metatable "smtpx.Session") owning `session`, and pushes it.
void pushSession(lua_State* L, Session* session);

// Registers the "smtpx.Session" metatable; its method table is also smtp.Session, so the Lua
// side of the library can add methods written in Lua.
void registerSessionType(lua_State* L);

// Opens the global `smtp` table.
void openSmtpLibrary(lua_State* L);

// Adds session:starttls and session:tls_info (TlsBinding.cpp) to the method table on top of the
// stack.
void addTlsMethods(lua_State* L);

// The TLS options for smtp.connect when its options table (at `index`) asks for implicit TLS
// with tls = true (TLS options in the same table) or tls = {TLS options}; nullopt otherwise.
std::optional<net::TlsOptions> implicitTlsOptions(lua_State* L, int index, const std::string& host);

// Adds the encoding helpers (CodecLibrary.cpp) to the table on top of the stack.
void openCodecFunctions(lua_State* L);

// Seconds from an optional number field of the table at `index`, else `fallback`.
double optSecondsField(lua_State* L, int index, const char* name, double fallback);

} // namespace smtpx::lua
