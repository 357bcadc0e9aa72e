// TranscriptJson: a transcript as JSON for `smtpx import --json`: its metadata as an object and
// its steps in order, each with its kind, source line, time stamp and text or reply lines. AUTH
// payloads are already {{secret:...}} placeholders in a transcript, so none appear here.
#pragma once

#include "replay/Transcript.h"

#include <Poco/JSON/Object.h>

namespace smtpx::replay {

// {"metadata": {"source": "telnet", ...}, "steps": [STEP, ...]}, each STEP one of
//   {"kind": "client", "line": 7, "at_ms": 12.5, "text": "EHLO x", "verb": "EHLO", "message_text": false}
//   {"kind": "reply", "line": 8, "verb": "EHLO", "lines": [{"match": "default", "text": "250-mx", "line": 8}]}
//   {"kind": "starttls"|"close", "line": 9}    {"kind": "info"|"error"|"note", "line": 3, "text": "..."}
// "line" is null for a step the import added; "at_ms" is there only when the source had times.
Poco::JSON::Object::Ptr transcriptJson(const Transcript& transcript);

} // namespace smtpx::replay
