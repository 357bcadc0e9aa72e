// ServeProbeLog: what `smtpx serve` says about each probe it ran: nothing, a text line on stderr
// (-v), or a JSON line on stdout (--json) for a log shipper. The handler threads share it.
#pragma once

#include "report/CheckResult.h"
#include "report/JsonLines.h"

#include <string>

namespace smtpx::cli {

class ServeProbeLog
{
public:
	enum class Mode { Off, Text, Json };

	explicit ServeProbeLog(Mode mode);

	void probe(const std::string& target, const std::string& module, const report::CheckResult& result, double seconds);

private:
	Mode _mode;
	report::JsonLines _json;
};

} // namespace smtpx::cli
