// ReplayCommand: `smtpx replay FILE|DIR... --server HOST:PORT` — plays the client side of
// transcripts against a server and checks every reply, all transcripts at once on one event
// loop, sandboxed; prints a summary and optionally JUnit XML or TAP.
#pragma once

#include "cli/DataPaths.h"

#include <string>
#include <vector>

namespace smtpx::cli {

// Returns the process exit code: the highest of the transcripts' codes (30 for a divergence,
// 31 for a transcript that does not import, 4 when the server cannot be reached, ...).
int replayCommand(const std::vector<std::string>& args, const DataPaths& paths);

const char* replayUsage();

} // namespace smtpx::cli
