// ConvertCommand: `smtpx convert FILE --to lua` — writes a transcript (any format smtpx import
// reads) as an equivalent Lua script for `smtpx run`, or (--to canonical) as `smtpx import` does.
#pragma once

#include <string>
#include <vector>

namespace smtpx::cli {

int convertCommand(const std::vector<std::string>& args);
const char* convertUsage();

} // namespace smtpx::cli
