// ConsoleLibrary: the console functions of the `smtp` table — smtp.read_line, which waits for a
// typed (or piped) line without stopping the event loop, and the history behind its Up arrow.
#pragma once

#include "lua/LuaHeaders.h"

namespace smtpx::lua {

// Adds read_line, add_history, open_history and line_editing to the table on top of the stack.
void openConsoleFunctions(lua_State* L);

} // namespace smtpx::lua
