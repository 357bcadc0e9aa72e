// ScriptError: the error objects scripts raise and see, and the exit codes they map to.
#pragma once

#include "lua/LuaHeaders.h"

#include <string>
#include <string_view>

namespace smtpx::lua {

// Documented in README.md ("Exit codes"); keep the two in step.
namespace exit_code {
constexpr int kOk = 0;
constexpr int kFailure = 1;       // the script returned false
constexpr int kUsage = 2;         // bad command line
constexpr int kScript = 3;        // Lua syntax or runtime error, bad API argument
constexpr int kConnect = 4;       // name did not resolve, connection refused or timed out
constexpr int kExpect = 5;        // a reply did not match what the script expected
constexpr int kTimeout = 6;       // no whole reply within the timeout
constexpr int kEof = 7;           // the server closed the connection unexpectedly
constexpr int kTls = 8;           // TLS handshake or certificate verification failed
constexpr int kProtocol = 9;      // malformed reply, over-long line, reply flood
constexpr int kLimit = 10;        // the script ran past its instruction or wall-clock limit
constexpr int kReplay = 30;       // a replayed transcript diverged from what the server said
constexpr int kImport = 31;       // a transcript could not be imported without guessing
} // namespace exit_code

// Builds an error object {kind=, message=, where=} (metatable "smtpx.Error", whose __tostring
// gives "where: message"), adds `extra` fields from the table at index `extraIndex` (0 = none) and
// raises it. `where` is the line of the user's script that led here, skipping stdlib frames.
[[noreturn]] void raiseError(lua_State* L, std::string_view kind, std::string_view message, int extraIndex = 0);

struct Failure
{
	int exitCode = exit_code::kScript;
	std::string message;
};

// Interprets any error value (an smtpx error object, a string, anything else).
Failure describeError(lua_State* L, int index);

// The exit code for an error kind ("expect", "timeout", ...) or a stdlib phase ("rcpt", ...).
int exitCodeFor(std::string_view kindOrPhase);

// The kind or phase whose exit code `code` is ("timeout" for 6, "rcpt" for 25); empty for a
// code that is no kind's (0, 1, a script's own).
std::string_view kindForExitCode(int code);

// "script.lua:12:" of the innermost frame that is not inside the bundled stdlib; "" if none.
std::string scriptWhere(lua_State* L);

// Registers the "smtpx.Error" metatable.
void registerErrorType(lua_State* L);

} // namespace smtpx::lua
