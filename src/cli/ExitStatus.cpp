#include "cli/ExitStatus.h"

#include "lua/ScriptError.h"

namespace smtpx::cli {

std::string exitStatus(int exitCode)
{
	if (exitCode == lua::exit_code::kOk) return "ok";
	// 1 (the script returned false) and codes of a script's own are plain failures.
	std::string_view kind = exitCode == lua::exit_code::kFailure ? "" : lua::kindForExitCode(exitCode);
	return kind.empty() ? "failed" : std::string(kind);
}

} // namespace smtpx::cli
