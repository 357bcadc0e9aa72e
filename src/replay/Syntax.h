// Syntax: how canonical transcript lines are spelt (docs/transcripts.md): the tags of server
// lines and the "[   12.3ms] " time stamps smtpx writes before any line.
#pragma once

#include "replay/Transcript.h"

#include <optional>
#include <string>
#include <string_view>

namespace smtpx::replay::syntax {

constexpr std::string_view kHeader = "# smtpx transcript 1";
constexpr std::string_view kClientTag = "C:";
constexpr std::string_view kInfoTag = "=== ";
constexpr std::string_view kErrorTag = "*** ";
constexpr std::string_view kStartTls = "! starttls";
constexpr std::string_view kClose = "! close";

// The text without the spaces, tabs and CRs before it / around it. A CR counts as a blank: a
// line's last CRs are taken off when it is read, so a value that ended in one would not read
// back the same from the canonical text (fuzz_transcript_import).
std::string_view trimmedLeft(std::string_view text);
std::string_view trimmed(std::string_view text);

// Where the first space, tab or CR in `text` is (npos: none).
std::size_t findBlank(std::string_view text);

// "S:", "S#", "S=", "S~"
std::string_view serverTag(MatchRule rule);

// "S= 250 Ok" -> {Text, "250 Ok"}; nothing when the line is no tagged server line.
std::optional<ServerLine> parseServerLine(std::string_view line);

// "C: text" or "C:" -> the text; nothing when the line is no client line.
std::optional<std::string_view> parseClientLine(std::string_view line);

// "S= 250 Ok", "C: EHLO x": the tag, a space unless the text is empty, the text.
std::string tagged(std::string_view tag, std::string_view text);

// Takes a leading "[   12.3ms] " off `line` and returns its milliseconds; nothing when absent.
std::optional<double> takeStamp(std::string_view& line);

std::string formatStamp(double ms);

} // namespace smtpx::replay::syntax
