// LogReader: the logs swaks and smtpx print. swaks: " -> " client, "<-  " server, "<** " a
// server's error reply, " ~> " / "<~  " / "<~* " the same inside TLS, "=== " info, "*** " error.
// smtpx: "[   12.3ms] " before each line and, when several sessions ran, a session label before
// the prefix; "****" for a line it hid.
#pragma once

#include "replay/DialogueBuilder.h"

#include <string>
#include <vector>

namespace smtpx::replay {

enum class LogStyle { Swaks, Smtpx };

// `session` picks one session's lines from an smtpx log of several; it must be given when the
// log holds more than one. Throws ImportError naming every line it cannot read.
void readLog(const std::vector<std::string>& lines, DialogueBuilder& builder, LogStyle style, const std::string& session);

} // namespace smtpx::replay
