// ShellCommand: `smtpx shell --server HOST[:PORT]` — talk to a server by hand with the live
// transcript; the bundled scripts/shell.lua does the talking.
#pragma once

#include "cli/DataPaths.h"

#include <string>
#include <vector>

namespace smtpx::cli {

int shellCommand(const std::vector<std::string>& args, const DataPaths& paths);

const char* shellUsage();

} // namespace smtpx::cli
