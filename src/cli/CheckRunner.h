// CheckRunner: runs scripts/check.lua once per server, all on one event loop on the calling
// thread, and reads back one judged CheckResult per server, in the order of options.servers.
#pragma once

#include "cli/CheckOptions.h"
#include "cli/DataPaths.h"
#include "report/CheckResult.h"
#include "report/Transcript.h"

#include <vector>

namespace smtpx::cli {

// Throws std::runtime_error when check.lua cannot be found or the engine cannot start.
std::vector<report::CheckResult> runChecks(const CheckOptions& options, const DataPaths& paths,
	report::Transcript& transcript);

} // namespace smtpx::cli
