// ScriptCatalog: `smtpx list` and `smtpx help SCRIPT`, read from each script's leading comment
// block (first line "--- name: one-line description", then "-- " lines with its options).
#pragma once

#include "cli/DataPaths.h"

#include <ostream>
#include <string>

namespace smtpx::cli {

int listScripts(const DataPaths& paths, std::ostream& out);
int describeScript(const DataPaths& paths, const std::string& name, std::ostream& out);

} // namespace smtpx::cli
