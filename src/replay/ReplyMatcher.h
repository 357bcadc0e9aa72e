// ReplyMatcher: compares a reply a replay received with the one a transcript recorded. Each
// recorded line is compared by its rule; the reply to EHLO/LHLO compares its capabilities as a
// set (order does not matter, and a capability's parameters are a set too).
#pragma once

#include "replay/Template.h"
#include "replay/Transcript.h"
#include "smtp/Reply.h"

#include <optional>
#include <string>
#include <vector>

namespace smtpx::replay {

struct MatchOptions
{
	MatchRule defaultRule = MatchRule::Code;  // what "S: " lines mean
	bool ignoreExtras = false;  // EHLO: capabilities and parameters the transcript lacks are fine
};

// Nothing when `actual` matches `expected`; else what differs, on one line, quoting the recorded
// and the received line. `captures` gains what the placeholders captured, only when the whole reply matches.
// Throws std::invalid_argument for a recorded line that is no valid reply line or template.
std::optional<std::string> compareReply(const std::vector<ServerLine>& expected, const smtp::Reply& actual,
	bool ehlo, const MatchOptions& options, Captures& captures);

// How a recorded line is compared: its own rule, or for "S: " the default; a line that captures
// ({{NAME:REGEX}}) is compared as text, or it could not capture.
MatchRule effectiveRule(const ServerLine& line, MatchRule defaultRule);

// "code", "text" -> the rule; throws std::invalid_argument for anything else.
MatchRule parseDefaultRule(std::string_view name);

} // namespace smtpx::replay
