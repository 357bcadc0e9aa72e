// CheckPolicy: the thresholds a check is judged by — on the total time, on each phase's time and
// on the days the server's certificate has left — and the judging itself.
#pragma once

#include "report/CheckResult.h"
#include "report/Thresholds.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace smtpx::report {

class CheckPolicy
{
public:
	void setTotal(Thresholds thresholds) { _total = std::move(thresholds); }
	void setPhase(const std::string& phase, Thresholds thresholds) { _phases[phase] = std::move(thresholds); }
	// Alert when the certificate has fewer days left than this.
	void setCertWarningDays(double days);
	void setCertCriticalDays(double days);

	const Thresholds& total() const { return _total; }
	const Thresholds& phase(const std::string& name) const;
	const Thresholds& certDays() const { return _cert; }

	// Sets result.state and result.problems: CRITICAL when the dialogue failed, else the worst of
	// the thresholds that alert.
	void apply(CheckResult& result) const;

	// The phases a built-in check has, in the order it goes through them.
	static const std::vector<std::string>& phaseNames();

private:
	void judge(CheckResult& result, CheckState state, const std::string& problem) const;

	Thresholds _total;
	std::map<std::string, Thresholds> _phases;
	Thresholds _cert;  // the days above as ranges ("30:"), for perfdata
	std::optional<double> _certWarningDays;
	std::optional<double> _certCriticalDays;
};

} // namespace smtpx::report
