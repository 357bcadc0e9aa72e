// PrometheusReport: the exposition text for one and for several results — HELP and TYPE once per
// family, label escaping, number spelling, families without samples left out.
#include "report/CheckResult.h"
#include "report/PrometheusReport.h"

#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>

#include <limits>
#include <set>
#include <sstream>

using namespace smtpx;
using report::CheckResult;
using report::CheckState;
using report::PrometheusReport;

namespace {

CheckResult makeResult(const std::string& target, const std::string& json, CheckState state)
{
	CheckResult result = CheckResult::fromScript(target, Poco::JSON::Parser().parse(json));
	result.state = state;
	return result;
}

const char* kTlsCheck = R"({
	"planned": ["dns", "connect", "banner", "quit"],
	"phases": [
		{"name": "dns", "seconds": 0.5},
		{"name": "connect", "seconds": 0.25},
		{"name": "banner", "seconds": 0.125, "reply": {"code": 220, "lines": ["220 mx"]}},
		{"name": "quit", "seconds": 0.0625, "reply": {"code": 221, "enhanced": "2.0.0", "lines": ["221 2.0.0 Bye"]}}
	],
	"total_seconds": 0.9375,
	"last_reply": {"code": 221, "enhanced": "2.0.0", "lines": ["221 2.0.0 Bye"]},
	"tls": {"version": "TLSv1.3", "not_after": 1893456000, "days_left": 1000}
})";

const char* kRefusedCheck = R"({
	"planned": ["dns", "connect", "banner", "quit"],
	"phases": [{"name": "dns", "seconds": 0.5}, {"name": "connect", "seconds": 0.25}],
	"total_seconds": 0.75,
	"failed_step": "connect",
	"error_kind": "connect",
	"reason": "Connection refused"
})";

std::string write(const std::vector<CheckResult>& results)
{
	std::ostringstream out;
	PrometheusReport::write(out, results);
	return out.str();
}

} // namespace

TEST_CASE("One result: every family, no target label", "[prometheus]")
{
	std::string text = write({makeResult("mx:465", kTlsCheck, CheckState::Ok)});
	CHECK(text ==
		"# HELP probe_success Whether the SMTP dialogue went through and met every expectation (1) or not (0).\n"
		"# TYPE probe_success gauge\n"
		"probe_success 1\n"
		"# HELP probe_duration_seconds How long the whole check took, in seconds.\n"
		"# TYPE probe_duration_seconds gauge\n"
		"probe_duration_seconds 0.9375\n"
		"# HELP probe_phase_duration_seconds How long each phase of the dialogue took, in seconds.\n"
		"# TYPE probe_phase_duration_seconds gauge\n"
		"probe_phase_duration_seconds{phase=\"dns\"} 0.5\n"
		"probe_phase_duration_seconds{phase=\"connect\"} 0.25\n"
		"probe_phase_duration_seconds{phase=\"banner\"} 0.125\n"
		"probe_phase_duration_seconds{phase=\"quit\"} 0.0625\n"
		"# HELP probe_failed_at_step 1 for the phase the check failed at, 0 for the other phases it planned.\n"
		"# TYPE probe_failed_at_step gauge\n"
		"probe_failed_at_step{step=\"dns\"} 0\n"
		"probe_failed_at_step{step=\"connect\"} 0\n"
		"probe_failed_at_step{step=\"banner\"} 0\n"
		"probe_failed_at_step{step=\"quit\"} 0\n"
		"# HELP probe_smtp_status_code The reply code of the last reply the server sent.\n"
		"# TYPE probe_smtp_status_code gauge\n"
		"probe_smtp_status_code 221\n"
		"# HELP probe_smtp_enhanced_status_code The RFC 3463 enhanced status code of the last reply, as the label code; absent when it had none.\n"
		"# TYPE probe_smtp_enhanced_status_code gauge\n"
		"probe_smtp_enhanced_status_code{code=\"2.0.0\"} 1\n"
		"# HELP probe_smtp_state The check's verdict under its thresholds: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n"
		"# TYPE probe_smtp_state gauge\n"
		"probe_smtp_state 0\n"
		"# HELP probe_tls_version_info The TLS version the session negotiated, as the label version.\n"
		"# TYPE probe_tls_version_info gauge\n"
		"probe_tls_version_info{version=\"TLSv1.3\"} 1\n"
		"# HELP probe_ssl_earliest_cert_expiry When the server's certificate expires, in seconds since the epoch.\n"
		"# TYPE probe_ssl_earliest_cert_expiry gauge\n"
		"probe_ssl_earliest_cert_expiry 1893456000\n");
}

TEST_CASE("Several results: each family once, every sample with its target", "[prometheus]")
{
	std::string text = write({makeResult("a:25", kTlsCheck, CheckState::Ok),
		makeResult("b\"\\:25", kRefusedCheck, CheckState::Critical)});
	std::istringstream in(text);
	std::string line;
	std::set<std::string> typed;
	int samples = 0;
	while (std::getline(in, line))
	{
		if (line.rfind("# TYPE ", 0) == 0)
		{
			INFO(line);
			CHECK(typed.insert(line.substr(7, line.find(' ', 7) - 7)).second);
		}
		else if (line[0] != '#')
		{
			INFO(line);
			CHECK(line.find("{target=\"") != std::string::npos);
			++samples;
		}
	}
	CHECK(samples == 24);
	CHECK(text.find("probe_success{target=\"b\\\"\\\\:25\"} 0\n") != std::string::npos);
	CHECK(text.find("probe_failed_at_step{target=\"b\\\"\\\\:25\",step=\"connect\"} 1\n") != std::string::npos);
	CHECK(text.find("probe_failed_at_step{target=\"b\\\"\\\\:25\",step=\"banner\"} 0\n") != std::string::npos);
	CHECK(text.find("probe_smtp_state{target=\"b\\\"\\\\:25\"} 2\n") != std::string::npos);
}

TEST_CASE("A result without replies or TLS leaves those families out", "[prometheus]")
{
	std::string text = write({makeResult("b:25", kRefusedCheck, CheckState::Critical)});
	CHECK(text.find("probe_smtp_status_code") == std::string::npos);
	CHECK(text.find("probe_smtp_enhanced_status_code") == std::string::npos);
	CHECK(text.find("probe_tls_version_info") == std::string::npos);
	CHECK(text.find("probe_ssl_earliest_cert_expiry") == std::string::npos);
	CHECK(text.find("probe_success 0\n") != std::string::npos);
}

TEST_CASE("Label values and numbers are spelt as the exposition format wants", "[prometheus]")
{
	CHECK(PrometheusReport::escapeLabelValue("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
	CHECK(PrometheusReport::escapeLabelValue("plain") == "plain");
	CHECK(PrometheusReport::formatValue(0.1) == "0.1");
	CHECK(PrometheusReport::formatValue(1e-7) == "1e-07");
	CHECK(PrometheusReport::formatValue(250) == "250");
	CHECK(PrometheusReport::formatValue(std::numeric_limits<double>::infinity()) == "+Inf");
	CHECK(PrometheusReport::formatValue(-std::numeric_limits<double>::infinity()) == "-Inf");
	CHECK(PrometheusReport::formatValue(std::numeric_limits<double>::quiet_NaN()) == "NaN");
}
