// LuaData: a Lua value as plain data (Poco::Dynamic::Var), so C++ code can read what a script
// returned after the script's coroutine is gone.
#pragma once

#include "lua/LuaHeaders.h"

#include <Poco/Dynamic/Var.h>

namespace smtpx::lua {

// nil → empty Var; booleans, integers (Int64), floats (double) and strings as themselves; a table
// whose keys are exactly 1..n → Poco::JSON::Array::Ptr, any other table → Poco::JSON::Object::Ptr
// (keys as text); functions, userdata and threads → their type name. Throws
// std::runtime_error for tables nested deeper than 32 levels (which is what a cycle gives).
Poco::Dynamic::Var toData(lua_State* L, int index);

} // namespace smtpx::lua
