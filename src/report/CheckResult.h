// CheckResult: what one health check of one server found — the phases it went through and how
// long each took, the replies, the TLS facts — and, once a CheckPolicy has judged it, its state.
// scripts/check.lua returns it as a table; fromScript() reads that table (converted to data).
#pragma once

#include "report/CheckState.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

#include <optional>
#include <string>
#include <vector>

namespace smtpx::report {

struct CheckResult
{
	struct Reply
	{
		int code = 0;
		std::string enhanced;            // "2.0.0", empty when the server gave none
		std::vector<std::string> lines;  // as received
	};

	struct Phase
	{
		std::string name;                // "dns", "connect", "banner", "ehlo", ... or a script's own
		std::optional<double> seconds;   // absent when the check stopped before this phase
		std::optional<Reply> reply;      // the reply that ended the phase, if any
	};

	std::string target;
	std::vector<Phase> phases;           // every planned phase, in order
	double totalSeconds = 0;
	std::string failedStep;              // the phase that failed; empty when all went well
	std::string errorKind;               // "timeout", "expect", "connect", "reject", ...
	std::string reason;                  // why it failed, for people
	std::optional<Reply> lastReply;
	std::vector<std::string> capabilities;  // EHLO keywords with their parameters
	Poco::JSON::Object::Ptr tls;         // session:tls_info() as the script saw it; null without TLS

	// Set by CheckPolicy::apply.
	CheckState state = CheckState::Unknown;
	std::vector<std::string> problems;   // the reasons for a state other than OK, worst first

	// The dialogue went through and met every expectation (thresholds aside).
	bool succeeded() const { return failedStep.empty() && errorKind.empty(); }

	// Reads the table check.lua returns. Throws std::runtime_error naming the field that is
	// missing or of the wrong type.
	static CheckResult fromScript(const std::string& target, const Poco::Dynamic::Var& value);

	// A check that could not be carried out at all (the script failed): UNKNOWN with `reason`.
	static CheckResult unknown(const std::string& target, const std::string& reason);

	// TLS facts the reports use; absent without TLS or when the script gave none.
	std::optional<std::string> tlsString(const std::string& field) const;
	std::optional<double> tlsNumber(const std::string& field) const;
};

} // namespace smtpx::report
