// LuaWriter: a transcript as an equivalent Lua script for `smtpx run` (what `smtpx convert --to
// lua` prints), in the spirit of Expect's autoexpect: one send or expect per step, ready to edit.
// Replies compared by code become session:expect(CODE); the others, and client lines with
// placeholders, go through a smtpx.replay dialogue, spelt as in the transcript.
#pragma once

#include "replay/Transcript.h"

#include <string>

namespace smtpx::replay {

// `source` names the file the transcript came from, for the script's header.
std::string writeLua(const Transcript& transcript, const std::string& source);

} // namespace smtpx::replay
