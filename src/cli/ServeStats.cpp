#include "cli/ServeStats.h"

#include "report/PrometheusReport.h"

namespace smtpx::cli {

namespace {

using report::PrometheusReport;

void header(std::ostream& out, const char* name, const char* type, const char* help)
{
	out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
}

std::string moduleLabel(const std::string& module)
{
	return "module=\"" + PrometheusReport::escapeLabelValue(module) + "\"";
}

} // namespace

ServeStats::ServeStats():
	_startTime(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count())
{
}

void ServeStats::probeStarted()
{
	std::lock_guard lock(_mutex);
	++_inFlight;
}

void ServeStats::probeFinished(const std::string& module, bool success, double seconds)
{
	std::lock_guard lock(_mutex);
	--_inFlight;
	ModuleCounts& counts = _modules[module];
	++(success ? counts.successes : counts.failures);
	counts.seconds += seconds;
}

void ServeStats::badRequest()
{
	std::lock_guard lock(_mutex);
	++_badRequests;
}

void ServeStats::write(std::ostream& out) const
{
	std::lock_guard lock(_mutex);
	header(out, "smtpx_exporter_build_info", "gauge", "The smtpx version serving the probes, as the label version.");
	out << "smtpx_exporter_build_info{version=\"" SMTPX_VERSION "\"} 1\n";
	header(out, "smtpx_exporter_start_time_seconds", "gauge", "When the exporter started, in seconds since the epoch.");
	out << "smtpx_exporter_start_time_seconds " << PrometheusReport::formatValue(_startTime) << "\n";
	header(out, "smtpx_exporter_probes_in_flight", "gauge", "Probes running now.");
	out << "smtpx_exporter_probes_in_flight " << _inFlight << "\n";
	if (!_modules.empty())
	{
		header(out, "smtpx_exporter_probes_total", "counter", "Probes answered, by module and outcome (probe_success).");
		for (const auto& [module, counts] : _modules)
		{
			out << "smtpx_exporter_probes_total{" << moduleLabel(module) << ",result=\"success\"} " << counts.successes << "\n";
			out << "smtpx_exporter_probes_total{" << moduleLabel(module) << ",result=\"failure\"} " << counts.failures << "\n";
		}
		header(out, "smtpx_exporter_probe_seconds_total", "counter", "Time spent probing, by module, in seconds.");
		for (const auto& [module, counts] : _modules)
			out << "smtpx_exporter_probe_seconds_total{" << moduleLabel(module) << "} "
				<< PrometheusReport::formatValue(counts.seconds) << "\n";
	}
	header(out, "smtpx_exporter_bad_requests_total", "counter", "Requests refused with 4xx (no or bad target, unknown module, ...).");
	out << "smtpx_exporter_bad_requests_total " << _badRequests << "\n";
}

} // namespace smtpx::cli
