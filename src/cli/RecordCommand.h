// RecordCommand: `smtpx record --listen HOST:PORT --server HOST:PORT --out FILE` — a transparent
// proxy that records each session through it as a canonical transcript (replay/RecordingProxy.h).
#pragma once

#include <string>
#include <vector>

namespace smtpx::cli {

// Returns 0 when every session was written, 3 when one could not be, 4 when the server does not
// resolve.
int recordCommand(const std::vector<std::string>& args);
const char* recordUsage();

} // namespace smtpx::cli
