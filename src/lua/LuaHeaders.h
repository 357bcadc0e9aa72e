// LuaHeaders: the Lua C API, from the lua5.4-c++ build (Lua compiled as C++, so lua_error and
// lua_yield throw and unwind C++ destructors instead of longjmp-ing over them).
#pragma once

#include <lua.hpp>
