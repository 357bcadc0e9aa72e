#include "report/PrometheusReport.h"

#include <charconv>
#include <cmath>
#include <functional>
#include <sstream>
#include <utility>

namespace smtpx::report {

namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Writes one family: its HELP and TYPE lines, then the samples `emit` adds for each result; a
// family without samples is left out altogether.
class FamilyWriter
{
public:
	FamilyWriter(std::ostream& out, bool targetLabel): _out(out), _targetLabel(targetLabel) {}

	using Emit = std::function<void(const CheckResult&, const std::function<void(Labels, double)>&)>;

	void family(const std::string& name, const std::string& help, const std::vector<CheckResult>& results, const Emit& emit)
	{
		std::ostringstream samples;
		for (const auto& result : results)
			emit(result, [&](Labels labels, double value) { sample(samples, name, result, std::move(labels), value); });
		if (samples.tellp() > 0)
			_out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n" << samples.str();
	}

private:
	void sample(std::ostream& out, const std::string& name, const CheckResult& result, Labels labels, double value)
	{
		if (_targetLabel) labels.insert(labels.begin(), {"target", result.target});
		out << name;
		if (!labels.empty())
		{
			out << "{";
			for (std::size_t i = 0; i < labels.size(); ++i)
				out << (i ? "," : "") << labels[i].first << "=\"" << PrometheusReport::escapeLabelValue(labels[i].second) << "\"";
			out << "}";
		}
		out << " " << PrometheusReport::formatValue(value) << "\n";
	}

	std::ostream& _out;
	bool _targetLabel;
};

} // namespace

std::string PrometheusReport::escapeLabelValue(const std::string& value)
{
	std::string escaped;
	for (char c : value)
	{
		if (c == '\\') escaped += "\\\\";
		else if (c == '"') escaped += "\\\"";
		else if (c == '\n') escaped += "\\n";
		else escaped += c;
	}
	return escaped;
}

std::string PrometheusReport::formatValue(double value)
{
	if (std::isnan(value)) return "NaN";
	if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
	char text[32];
	auto [end, ec] = std::to_chars(text, text + sizeof text, value);
	return std::string(text, end);
}

void PrometheusReport::write(std::ostream& out, const std::vector<CheckResult>& results)
{
	FamilyWriter writer(out, results.size() > 1);
	writer.family("probe_success", "Whether the SMTP dialogue went through and met every expectation (1) or not (0).",
		results, [](const CheckResult& r, const auto& add) { add({}, r.succeeded() ? 1 : 0); });
	writer.family("probe_duration_seconds", "How long the whole check took, in seconds.",
		results, [](const CheckResult& r, const auto& add) { add({}, r.totalSeconds); });
	writer.family("probe_phase_duration_seconds", "How long each phase of the dialogue took, in seconds.",
		results, [](const CheckResult& r, const auto& add) {
			for (const auto& phase : r.phases)
				if (phase.seconds) add({{"phase", phase.name}}, *phase.seconds);
		});
	writer.family("probe_failed_at_step", "1 for the phase the check failed at, 0 for the other phases it planned.",
		results, [](const CheckResult& r, const auto& add) {
			for (const auto& phase : r.phases) add({{"step", phase.name}}, phase.name == r.failedStep ? 1 : 0);
		});
	writer.family("probe_smtp_status_code", "The reply code of the last reply the server sent.",
		results, [](const CheckResult& r, const auto& add) {
			if (r.lastReply) add({}, r.lastReply->code);
		});
	writer.family("probe_smtp_enhanced_status_code",
		"The RFC 3463 enhanced status code of the last reply, as the label code; absent when it had none.",
		results, [](const CheckResult& r, const auto& add) {
			if (r.lastReply && !r.lastReply->enhanced.empty()) add({{"code", r.lastReply->enhanced}}, 1);
		});
	writer.family("probe_smtp_state", "The check's verdict under its thresholds: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
		results, [](const CheckResult& r, const auto& add) { add({}, static_cast<int>(r.state)); });
	writer.family("probe_tls_version_info", "The TLS version the session negotiated, as the label version.",
		results, [](const CheckResult& r, const auto& add) {
			if (auto version = r.tlsString("version")) add({{"version", *version}}, 1);
		});
	writer.family("probe_ssl_earliest_cert_expiry", "When the server's certificate expires, in seconds since the epoch.",
		results, [](const CheckResult& r, const auto& add) {
			if (auto notAfter = r.tlsNumber("not_after")) add({}, *notAfter);
		});
}

} // namespace smtpx::report
