// Thresholds: the warning and critical ranges for one measured value; either may be absent.
#pragma once

#include "report/CheckState.h"
#include "report/NagiosRange.h"

#include <optional>

namespace smtpx::report {

struct Thresholds
{
	std::optional<NagiosRange> warning;
	std::optional<NagiosRange> critical;

	// CRITICAL when the critical range alerts, else WARNING when the warning range does, else OK:
	// critical is looked at first, so a value beyond both is never reported as a mere warning.
	CheckState evaluate(double value) const
	{
		if (critical && critical->alerts(value)) return CheckState::Critical;
		if (warning && warning->alerts(value)) return CheckState::Warning;
		return CheckState::Ok;
	}
};

} // namespace smtpx::report
