// ScriptCatalog: `smtpx list` and `smtpx help SCRIPT`, read from each script's leading comment
// block (ScriptHeader), as text or, with --json, as JSON lines.
#pragma once

#include "cli/DataPaths.h"

#include <string>
#include <vector>

namespace smtpx::cli {

// `smtpx list [--json]`: a line per bundled script, its name and summary.
int listCommand(const std::vector<std::string>& args, const DataPaths& paths);
// `smtpx help SCRIPT [--json]`: the script's comment block.
int helpCommand(const std::vector<std::string>& args, const DataPaths& paths);

} // namespace smtpx::cli
