// ExitStatus: an exit code as the word --json output gives with it ("ok", "timeout", "rcpt",
// "replay", ...), so a reader can select on what happened without the table of codes at hand.
#pragma once

#include <string>

namespace smtpx::cli {

// "ok" for 0; the error kind or stdlib phase that gives `exitCode` (lua::exitCodeFor); "failed"
// for any other code (1: the script returned false, or a number a script returned).
std::string exitStatus(int exitCode);

} // namespace smtpx::cli
