// NagiosReport: check results as a Monitoring Plugins status — the line "SMTP OK - summary",
// perfdata for every phase of every server after a '|', then one line per server when there are
// several. The exit code is the worst state (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
#pragma once

#include "report/CheckPolicy.h"
#include "report/CheckResult.h"

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace smtpx::report {

class NagiosReport
{
public:
	explicit NagiosReport(const CheckPolicy& policy): _policy(policy) {}

	// Writes the status of judged results; returns the exit code.
	int write(std::ostream& out, const std::vector<CheckResult>& results) const;

	// The worst state of all results (OK for none).
	static CheckState overall(const std::vector<CheckResult>& results);

	// One perfdata item, 'label'=value[UOM];[warn];[crit];[min]; the value is "U" when unknown
	// (a phase the check never reached).
	static std::string perfdatum(const std::string& label, std::optional<double> value, const std::string& unit,
		const Thresholds& thresholds, std::optional<double> minimum);

	// The label in single quotes, a quote inside doubled.
	static std::string quoteLabel(const std::string& label);

private:
	std::string summary(const CheckResult& result) const;
	std::string overallSummary(const std::vector<CheckResult>& results) const;
	void appendPerfdata(std::string& perfdata, const CheckResult& result, const std::string& prefix) const;

	const CheckPolicy& _policy;
};

} // namespace smtpx::report
