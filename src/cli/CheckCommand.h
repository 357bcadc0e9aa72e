// CheckCommand: `smtpx check ...` — a health check of one or many SMTP servers that behaves as
// a Monitoring Plugin: a status on stdout, exit code 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
#pragma once

#include "cli/DataPaths.h"

#include <string>
#include <vector>

namespace smtpx::cli {

// Never throws: every failure is an UNKNOWN status with exit code 3.
int checkCommand(const std::vector<std::string>& args, const DataPaths& paths);

} // namespace smtpx::cli
