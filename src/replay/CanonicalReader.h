// CanonicalReader: smtpx's canonical transcripts, and the "C:"/"S:" dialogues of the RFCs. An RFC
// dialogue is a canonical transcript without the header, indented, with narrative lines such as
// "C: <starts TLS negotiation>" or "C & S: <negotiate a TLS session>".
#pragma once

#include "replay/DialogueBuilder.h"

#include <string>
#include <vector>

namespace smtpx::replay {

enum class CanonicalDialect { Canonical, Rfc };

// Throws ImportError naming every line it cannot read.
void readCanonical(const std::vector<std::string>& lines, DialogueBuilder& builder, CanonicalDialect dialect);

} // namespace smtpx::replay
