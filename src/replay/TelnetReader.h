// TelnetReader: a telnet (or nc) window pasted as it was: no prefixes, the client's commands in
// any case, telnet's own messages in several languages, shell and Windows prompts, blank lines,
// message text after 354 up to a lone ".", AUTH payloads after 334. A line that starts with "# "
// is a comment.
#pragma once

#include "replay/DialogueBuilder.h"

#include <string>
#include <vector>

namespace smtpx::replay {

// Throws ImportError naming every line that is neither a reply, a command, nor telnet's output.
void readTelnet(const std::vector<std::string>& lines, DialogueBuilder& builder);

} // namespace smtpx::replay
