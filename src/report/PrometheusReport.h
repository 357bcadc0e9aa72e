// PrometheusReport: check results in the Prometheus text exposition format (version 0.0.4), with
// the metric names blackbox_exporter users know (probe_success, probe_duration_seconds, ...).
// Each family is written once, HELP and TYPE first, its samples for every result after; with
// several results each sample carries a `target` label.
#pragma once

#include "report/CheckResult.h"

#include <ostream>
#include <string>
#include <vector>

namespace smtpx::report {

class PrometheusReport
{
public:
	static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

	static void write(std::ostream& out, const std::vector<CheckResult>& results);

	// A label value with \, " and line feeds escaped.
	static std::string escapeLabelValue(const std::string& value);

	// Shortest text that reads back as the same double; NaN and +Inf/-Inf as Prometheus spells them.
	static std::string formatValue(double value);
};

} // namespace smtpx::report
