#include "report/NagiosReport.h"

#include <cstdio>
#include <map>

namespace smtpx::report {

namespace {

std::string formatNumber(const char* format, double value)
{
	char text[64];
	std::snprintf(text, sizeof text, format, value);
	return text;
}

// '|' starts perfdata and a line break starts long output: neither may appear in a text part.
std::string plain(std::string text)
{
	for (char& c : text)
	{
		if (c == '|') c = '/';
		else if (c == '\r' || c == '\n') c = ' ';
	}
	return text;
}

std::string joined(const std::vector<std::string>& parts, const std::string& separator)
{
	std::string text;
	for (const auto& part : parts) text += (text.empty() ? "" : separator) + part;
	return text;
}

// The banner's first line, which names the server; empty when the check had no banner phase.
std::string bannerOf(const CheckResult& result)
{
	for (const auto& phase : result.phases)
		if (phase.name == "banner" && phase.reply && !phase.reply->lines.empty()) return phase.reply->lines.front();
	return "";
}

} // namespace

CheckState NagiosReport::overall(const std::vector<CheckResult>& results)
{
	CheckState state = CheckState::Ok;
	for (const auto& result : results) state = worseOf(state, result.state);
	return state;
}

std::string NagiosReport::quoteLabel(const std::string& label)
{
	std::string quoted = "'";
	for (char c : label)
	{
		if (c == '\'') quoted += '\'';
		quoted += c;
	}
	return quoted + "'";
}

std::string NagiosReport::perfdatum(const std::string& label, std::optional<double> value, const std::string& unit,
	const Thresholds& thresholds, std::optional<double> minimum)
{
	std::string item = quoteLabel(label) + "=";
	item += value ? formatNumber("%.6f", *value) + unit : "U";
	item += ";" + (thresholds.warning ? thresholds.warning->text() : "");
	item += ";" + (thresholds.critical ? thresholds.critical->text() : "");
	item += ";" + (minimum ? formatNumber("%g", *minimum) : "");
	return item;
}

void NagiosReport::appendPerfdata(std::string& perfdata, const CheckResult& result, const std::string& prefix) const
{
	auto add = [&perfdata](std::string item) { perfdata += (perfdata.empty() ? "" : " ") + item; };
	// A check that could not run (UNKNOWN) measured nothing, not zero seconds.
	std::optional<double> total;
	if (result.state != CheckState::Unknown) total = result.totalSeconds;
	add(perfdatum(prefix + "time", total, "s", _policy.total(), 0.0));
	for (const auto& phase : result.phases)
		add(perfdatum(prefix + phase.name, phase.seconds, "s", _policy.phase(phase.name), 0.0));
	if (auto days = result.tlsNumber("days_left"))
		add(perfdatum(prefix + "cert_days", days, "", _policy.certDays(), std::nullopt));
}

std::string NagiosReport::summary(const CheckResult& result) const
{
	if (result.state != CheckState::Ok) return result.target + ": " + joined(result.problems, "; ");
	std::string text = result.target + ": " + bannerOf(result);
	text += " in " + formatNumber("%.3f s", result.totalSeconds);
	if (auto version = result.tlsString("version")) text += ", " + *version;
	if (auto days = result.tlsNumber("days_left")) text += formatNumber(", certificate valid for %.0f more days", *days);
	if (auto error = result.tlsString("verify_error")) text += ", certificate not verified (--insecure): " + *error;
	return text;
}

std::string NagiosReport::overallSummary(const std::vector<CheckResult>& results) const
{
	std::map<CheckState, int> counts;
	for (const auto& result : results) ++counts[result.state];
	std::vector<std::string> parts;
	for (CheckState state : {CheckState::Critical, CheckState::Warning, CheckState::Unknown, CheckState::Ok})
		if (counts[state]) parts.push_back(std::to_string(counts[state]) + " " + stateName(state));
	return std::to_string(results.size()) + " servers: " + joined(parts, ", ");
}

int NagiosReport::write(std::ostream& out, const std::vector<CheckResult>& results) const
{
	CheckState state = overall(results);
	bool several = results.size() > 1;
	std::string perfdata;
	for (const auto& result : results) appendPerfdata(perfdata, result, several ? result.target + " " : "");
	std::string text = several ? overallSummary(results) : results.empty() ? "no servers" : summary(results.front());
	out << "SMTP " << stateName(state) << " - " << plain(text);
	if (!perfdata.empty()) out << " | " << perfdata;
	out << "\n";
	if (several)
		for (const auto& result : results) out << stateName(result.state) << " - " << plain(summary(result)) << "\n";
	return static_cast<int>(state);
}

} // namespace smtpx::report
