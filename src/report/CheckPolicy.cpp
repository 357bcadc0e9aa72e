#include "report/CheckPolicy.h"

#include <cmath>
#include <cstdio>

namespace smtpx::report {

namespace {

std::string seconds(double value)
{
	char text[32];
	std::snprintf(text, sizeof text, "%.3f s", value);
	return text;
}

const NagiosRange& alertingRange(const Thresholds& thresholds, CheckState state)
{
	return state == CheckState::Critical ? *thresholds.critical : *thresholds.warning;
}

std::string describe(const Thresholds& thresholds, CheckState state)
{
	return std::string(state == CheckState::Critical ? "critical " : "warning ") + alertingRange(thresholds, state).text();
}

} // namespace

const std::vector<std::string>& CheckPolicy::phaseNames()
{
	static const std::vector<std::string> names{
		"dns", "connect", "banner", "ehlo", "starttls", "auth", "mail", "rcpt", "data", "quit"};
	return names;
}

void CheckPolicy::setCertWarningDays(double days)
{
	_certWarningDays = days;
	_cert.warning = NagiosRange::atLeast(days);
}

void CheckPolicy::setCertCriticalDays(double days)
{
	_certCriticalDays = days;
	_cert.critical = NagiosRange::atLeast(days);
}

const Thresholds& CheckPolicy::phase(const std::string& name) const
{
	static const Thresholds none;
	auto found = _phases.find(name);
	return found == _phases.end() ? none : found->second;
}

void CheckPolicy::judge(CheckResult& result, CheckState state, const std::string& problem) const
{
	// Worst first, so the status line leads with what set the state.
	bool worse = worseOf(state, result.state) == state && state != result.state;
	if (worse) result.problems.insert(result.problems.begin(), problem);
	else result.problems.push_back(problem);
	result.state = worseOf(result.state, state);
}

void CheckPolicy::apply(CheckResult& result) const
{
	result.problems.clear();
	result.state = CheckState::Ok;
	if (!result.succeeded())
	{
		// A broken script or a bad option is not the server's fault: UNKNOWN, and nothing to time.
		bool ours = result.errorKind == "script" || result.errorKind == "usage";
		judge(result, ours ? CheckState::Unknown : CheckState::Critical,
			result.failedStep.empty() ? result.reason : result.failedStep + ": " + result.reason);
		if (ours) return;
	}
	for (const auto& phase : result.phases)
	{
		if (!phase.seconds) continue;
		const Thresholds& thresholds = this->phase(phase.name);
		CheckState state = thresholds.evaluate(*phase.seconds);
		if (state != CheckState::Ok)
			judge(result, state, phase.name + " took " + seconds(*phase.seconds) + " (" + describe(thresholds, state) + ")");
	}
	CheckState totalState = _total.evaluate(result.totalSeconds);
	if (totalState != CheckState::Ok)
		judge(result, totalState, "the check took " + seconds(result.totalSeconds) + " (" + describe(_total, totalState) + ")");
	if (auto days = result.tlsNumber("days_left"))
	{
		CheckState certState = _cert.evaluate(*days);
		if (certState == CheckState::Ok) return;
		char text[96];
		std::snprintf(text, sizeof text, *days < 0 ? "the certificate expired %.1f days ago (%s below %g)"
			: "the certificate expires in %.1f days (%s below %g)", std::abs(*days),
			certState == CheckState::Critical ? "critical" : "warning",
			certState == CheckState::Critical ? *_certCriticalDays : *_certWarningDays);
		judge(result, certState, text);
	}
}

} // namespace smtpx::report
