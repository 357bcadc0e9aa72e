// ServeTranscriptCommand: `smtpx serve-transcript FILE --listen HOST:PORT` — plays the server side
// of a transcript to the clients that connect (replay/TranscriptServer.h).
#pragma once

#include <string>
#include <vector>

namespace smtpx::cli {

// Returns 0 when every client followed the transcript, 30 when one did not, 31 when the
// transcript cannot be imported or played.
int serveTranscriptCommand(const std::vector<std::string>& args);
const char* serveTranscriptUsage();

} // namespace smtpx::cli
