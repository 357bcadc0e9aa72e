#include "cli/ExitStatus.h"

#include "lua/ScriptError.h"

#include <string_view>

namespace smtpx::cli {

namespace {

// Every kind and phase with a code of its own; lua::exitCodeFor holds the numbers.
constexpr std::string_view kNames[] = {"usage", "script", "connect", "expect", "timeout", "eof", "tls", "protocol", "limit",
	"banner", "ehlo", "starttls", "auth", "mail", "rcpt", "data", "dot", "quit", "partial", "replay", "import"};

} // namespace

std::string exitStatus(int exitCode)
{
	if (exitCode == lua::exit_code::kOk) return "ok";
	for (std::string_view name : kNames)
		if (lua::exitCodeFor(name) == exitCode) return std::string(name);
	return "failed";
}

} // namespace smtpx::cli
