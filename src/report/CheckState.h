// CheckState: a health check's verdict, with the Monitoring Plugins exit code as its value.
#pragma once

#include <algorithm>

namespace smtpx::report {

enum class CheckState { Ok = 0, Warning = 1, Critical = 2, Unknown = 3 };

// "OK", "WARNING", "CRITICAL", "UNKNOWN": the word a status line starts with.
inline const char* stateName(CheckState state)
{
	switch (state)
	{
	case CheckState::Ok:       return "OK";
	case CheckState::Warning:  return "WARNING";
	case CheckState::Critical: return "CRITICAL";
	case CheckState::Unknown:  return "UNKNOWN";
	}
	return "UNKNOWN";
}

// Many results give one verdict, the worst, ranked CRITICAL > WARNING > UNKNOWN > OK as the
// Monitoring Plugins library's max_state_alt() ranks them for checks of several items.
inline CheckState worseOf(CheckState a, CheckState b)
{
	auto rank = [](CheckState s) {
		switch (s)
		{
		case CheckState::Ok:       return 0;
		case CheckState::Unknown:  return 1;
		case CheckState::Warning:  return 2;
		case CheckState::Critical: return 3;
		}
		return 1;
	};
	return rank(a) >= rank(b) ? a : b;
}

} // namespace smtpx::report
