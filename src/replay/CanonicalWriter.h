// CanonicalWriter: a transcript as smtpx's canonical text (docs/transcripts.md); reading it back
// gives the same steps.
#pragma once

#include "replay/Transcript.h"

#include <string>

namespace smtpx::replay {

std::string writeCanonical(const Transcript& transcript);

} // namespace smtpx::replay
