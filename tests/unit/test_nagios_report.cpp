// From what check.lua returns to the Monitoring Plugins status: the returned table through the
// scheduler, CheckResult, the CheckPolicy's judgement (phase, total and certificate thresholds)
// and the status line with perfdata, parsed back and checked item by item.
#include "ScriptEngine.h"
#include "lua/Engine.h"
#include "report/CheckPolicy.h"
#include "report/CheckResult.h"
#include "report/NagiosReport.h"

#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

using namespace smtpx;
using report::CheckPolicy;
using report::CheckResult;
using report::CheckState;
using report::NagiosRange;
using report::NagiosReport;
using report::Thresholds;

namespace {

Thresholds thresholds(const char* warning, const char* critical)
{
	Thresholds t;
	if (warning) t.warning = NagiosRange::parse(warning);
	if (critical) t.critical = NagiosRange::parse(critical);
	return t;
}

// What check.lua returns for a check that went through EHLO, as JSON text.
CheckResult resultFromJson(const std::string& target, const std::string& json)
{
	return CheckResult::fromScript(target, Poco::JSON::Parser().parse(json));
}

const char* kEhloCheck = R"({
	"planned": ["dns", "connect", "banner", "ehlo", "quit"],
	"phases": [
		{"name": "dns", "seconds": 0.0001},
		{"name": "connect", "seconds": 0.0002},
		{"name": "banner", "seconds": 0.0100, "reply": {"code": 220, "lines": ["220 mx.example.com ESMTP"]}},
		{"name": "ehlo", "seconds": 0.0030, "reply": {"code": 250, "lines": ["250-mx.example.com", "250 PIPELINING"]}},
		{"name": "quit", "seconds": 0.0010, "reply": {"code": 221, "enhanced": "2.0.0", "lines": ["221 2.0.0 Bye"]}}
	],
	"total_seconds": 0.0143,
	"last_reply": {"code": 221, "enhanced": "2.0.0", "lines": ["221 2.0.0 Bye"]},
	"capabilities": ["PIPELINING"]
})";

const char* kStalledCheck = R"({
	"planned": ["dns", "connect", "banner", "ehlo", "quit"],
	"phases": [
		{"name": "dns", "seconds": 0.0001},
		{"name": "connect", "seconds": 0.0002},
		{"name": "banner", "seconds": 0.0100, "reply": {"code": 220, "lines": ["220 stall ESMTP"]}},
		{"name": "ehlo", "seconds": 2.0}
	],
	"total_seconds": 2.0103,
	"failed_step": "ehlo",
	"error_kind": "timeout",
	"reason": "no complete reply within 2 s"
})";

struct ParsedStatus
{
	std::string state;
	std::string text;
	std::vector<std::string> labels;
	std::vector<std::string> items;
	std::vector<std::string> longLines;
};

// Parses the plugin output strictly: "SMTP STATE - text | perfdata" then long lines; every
// perfdata item must be 'label'=value[UOM];[warn];[crit];[min] with ranges in the Nagios syntax.
ParsedStatus parseStatus(const std::string& output)
{
	std::istringstream in(output);
	std::string first;
	REQUIRE(std::getline(in, first));
	std::smatch m;
	REQUIRE(std::regex_match(first, m, std::regex(R"(SMTP (OK|WARNING|CRITICAL|UNKNOWN) - ([^|\n]*?)(?: \| (.*))?)")));
	ParsedStatus status{m[1], m[2], {}, {}, {}};
	std::string perfdata = m[3];
	const std::regex item(R"('((?:[^']|'')+)'=(U|-?[0-9]+(?:\.[0-9]+)?(s|%|B|KB|MB|TB|c)?);([^;\s]*);([^;\s]*);([^;\s]*))");
	const std::regex range(R"(@?(?:~|-?[0-9.]+)?:?(?:-?[0-9.]+)?)");
	std::size_t pos = 0;
	while (pos < perfdata.size())
	{
		std::smatch im;
		std::string rest = perfdata.substr(pos);
		REQUIRE(std::regex_search(rest, im, item, std::regex_constants::match_continuous));
		INFO("perfdata item " << im[0]);
		CHECK(std::regex_match(im[4].str(), range));
		CHECK(std::regex_match(im[5].str(), range));
		CHECK(std::regex_match(im[6].str(), std::regex(R"(-?[0-9.]*)")));
		status.labels.push_back(std::regex_replace(im[1].str(), std::regex("''"), "'"));
		status.items.push_back(im[0]);
		pos += im.length(0);
		if (pos < perfdata.size())
		{
			REQUIRE(perfdata[pos] == ' ');
			++pos;
		}
	}
	std::string line;
	while (std::getline(in, line)) status.longLines.push_back(line);
	return status;
}

std::string writeNagios(const CheckPolicy& policy, const std::vector<CheckResult>& results, int& exitCode)
{
	std::ostringstream out;
	exitCode = NagiosReport(policy).write(out, results);
	return out.str();
}

} // namespace

TEST_CASE("perfdatum: label, value with unit, warn, crit, min", "[nagios][perfdata]")
{
	CHECK(NagiosReport::perfdatum("banner", 0.0123, "s", thresholds("2", "5"), 0.0) == "'banner'=0.012300s;2;5;0");
	CHECK(NagiosReport::perfdatum("time", 1.5, "s", {}, 0.0) == "'time'=1.500000s;;;0");
	CHECK(NagiosReport::perfdatum("rcpt", std::nullopt, "s", thresholds(nullptr, "@1:2"), 0.0) == "'rcpt'=U;;@1:2;0");
	CHECK(NagiosReport::perfdatum("cert_days", 45.25, "", thresholds("30:", "7:"), std::nullopt) == "'cert_days'=45.250000;30:;7:;");
	CHECK(NagiosReport::quoteLabel("it's") == "'it''s'");
	CHECK(NagiosReport::quoteLabel("a b=c") == "'a b=c'");
}

// Runs a script that returns something and gives its run's result.
using ReturningScript = testing::ScriptEngine;

TEST_CASE("A returned table becomes data: lists, records, nesting; a cycle is an error", "[nagios][check-result]")
{
	ReturningScript script;
	const auto& mixed = script.runOne(R"(return { list = {1, 2.5, "x", true}, record = { [7] = "seven", key = {} }, f = print })");
	REQUIRE(mixed.error.empty());
	auto object = mixed.value.extract<Poco::JSON::Object::Ptr>();
	auto list = object->getArray("list");
	REQUIRE(list->size() == 4);
	CHECK(list->get(0).extract<Poco::Int64>() == 1);
	CHECK(list->get(1).extract<double>() == 2.5);
	CHECK(list->get(2).extract<std::string>() == "x");
	CHECK(list->get(3).extract<bool>());
	auto record = object->getObject("record");
	CHECK(record->get("7").extract<std::string>() == "seven");
	CHECK(record->getObject("key")->size() == 0);
	CHECK(object->get("f").extract<std::string>() == "function");

	const auto& cyclic = script.runOne("local t = {} t.self = t return t");
	CHECK(cyclic.exitCode == 3);
	CHECK_THAT(cyclic.error, Catch::Contains("nests deeper than 32 levels"));
	CHECK(cyclic.value.isEmpty());
}

TEST_CASE("A script's returned table reaches C++ as data", "[nagios][check-result]")
{
	ReturningScript script;
	const auto& run = script.runOne(R"(
		return { planned = {"dns", "connect", "banner"}, total_seconds = 0.5,
		         phases = { {name = "dns", seconds = 0.25}, {name = "connect", seconds = 0.25} },
		         failed_step = "banner", error_kind = "expect", reason = "554 go away",
		         last_reply = { code = 554, enhanced = "5.7.1", lines = {"554 5.7.1 go away"} },
		         capabilities = {}, tls = { version = "TLSv1.3", days_left = 12 } })");
	REQUIRE(run.error.empty());
	CHECK(run.exitCode == 0);

	CheckResult result = CheckResult::fromScript("mx:25", run.value);
	REQUIRE(result.phases.size() == 3);
	CHECK(result.phases[0].name == "dns");
	CHECK(*result.phases[1].seconds == Approx(0.25));
	CHECK_FALSE(result.phases[2].seconds);
	CHECK(result.failedStep == "banner");
	CHECK(result.lastReply->code == 554);
	CHECK(result.lastReply->enhanced == "5.7.1");
	CHECK(result.capabilities.empty());
	CHECK(*result.tlsString("version") == "TLSv1.3");
	CHECK(*result.tlsNumber("days_left") == 12);
	CHECK_FALSE(result.succeeded());
}

TEST_CASE("A malformed result names the field", "[nagios][check-result]")
{
	CHECK_THROWS_WITH(resultFromJson("x", R"({"phases": 5})"), Catch::Contains("'phases'"));
	CHECK_THROWS_WITH(resultFromJson("x", R"({"phases": [{"seconds": 1}]})"), Catch::Contains("phases[].name"));
	CHECK_THROWS_WITH(resultFromJson("x", R"({"reason": 1})"), Catch::Contains("'reason' must be a string"));
	CHECK_THROWS(CheckResult::fromScript("x", Poco::Dynamic::Var()));
}

TEST_CASE("A healthy check is OK with perfdata for every phase", "[nagios][report]")
{
	CheckPolicy policy;
	policy.setTotal(thresholds("1", "2"));
	policy.setPhase("banner", thresholds("~:0.5", "~:1"));
	CheckResult result = resultFromJson("mx.example.com:25", kEhloCheck);
	policy.apply(result);
	CHECK(result.state == CheckState::Ok);

	int exitCode = -1;
	auto status = parseStatus(writeNagios(policy, {result}, exitCode));
	CHECK(exitCode == 0);
	CHECK(status.state == "OK");
	CHECK(status.text == "mx.example.com:25: 220 mx.example.com ESMTP in 0.014 s");
	CHECK(status.labels == std::vector<std::string>{"time", "dns", "connect", "banner", "ehlo", "quit"});
	CHECK(status.items[0] == "'time'=0.014300s;1;2;0");
	CHECK(status.items[3] == "'banner'=0.010000s;~:0.5;~:1;0");
	CHECK(status.longLines.empty());
}

TEST_CASE("Phase and total thresholds give WARNING and CRITICAL, the worst first", "[nagios][report]")
{
	CheckResult result = resultFromJson("mx:25", kEhloCheck);

	CheckPolicy warnBanner;
	warnBanner.setPhase("banner", thresholds("0.005", "0.5"));
	warnBanner.apply(result);
	CHECK(result.state == CheckState::Warning);
	REQUIRE(result.problems.size() == 1);
	CHECK(result.problems[0] == "banner took 0.010 s (warning 0.005)");

	CheckPolicy both;
	both.setPhase("banner", thresholds("0.005", "0.5"));
	both.setTotal(thresholds("0.001", "0.01"));
	both.apply(result);
	CHECK(result.state == CheckState::Critical);
	REQUIRE(result.problems.size() == 2);
	CHECK(result.problems[0] == "the check took 0.014 s (critical 0.01)");
	CHECK(result.problems[1] == "banner took 0.010 s (warning 0.005)");

	int exitCode = -1;
	auto status = parseStatus(writeNagios(both, {result}, exitCode));
	CHECK(exitCode == 2);
	CHECK(status.state == "CRITICAL");
	CHECK(status.text == "mx:25: the check took 0.014 s (critical 0.01); banner took 0.010 s (warning 0.005)");

	CheckPolicy inside;
	inside.setPhase("ehlo", thresholds("@0:0.01", nullptr));
	inside.apply(result);
	CHECK(result.state == CheckState::Warning);
}

TEST_CASE("A failed phase is CRITICAL naming it, later phases are U", "[nagios][report]")
{
	CheckPolicy policy;
	policy.setPhase("quit", thresholds("1", "2"));
	CheckResult result = resultFromJson("127.0.0.1:12599", kStalledCheck);
	policy.apply(result);
	CHECK(result.state == CheckState::Critical);

	int exitCode = -1;
	auto status = parseStatus(writeNagios(policy, {result}, exitCode));
	CHECK(exitCode == 2);
	CHECK(status.text == "127.0.0.1:12599: ehlo: no complete reply within 2 s");
	REQUIRE(status.items.size() == 6);
	CHECK(status.items[4] == "'ehlo'=2.000000s;;;0");
	CHECK(status.items[5] == "'quit'=U;1;2;0");
}

TEST_CASE("Certificate days left: warning and critical below the given days", "[nagios][cert]")
{
	CheckPolicy policy;
	policy.setCertWarningDays(30);
	policy.setCertCriticalDays(7);
	auto withDays = [](double days) {
		CheckResult result = resultFromJson("mx:465", kEhloCheck);
		result.tls = new Poco::JSON::Object;
		result.tls->set("version", "TLSv1.3");
		result.tls->set("days_left", days);
		return result;
	};
	CheckResult fine = withDays(45);
	policy.apply(fine);
	CHECK(fine.state == CheckState::Ok);
	CheckResult soon = withDays(20);
	policy.apply(soon);
	CHECK(soon.state == CheckState::Warning);
	CHECK(soon.problems.at(0) == "the certificate expires in 20.0 days (warning below 30)");
	CheckResult expiring = withDays(3.5);
	policy.apply(expiring);
	CHECK(expiring.state == CheckState::Critical);
	CHECK(expiring.problems.at(0) == "the certificate expires in 3.5 days (critical below 7)");
	CheckResult expired = withDays(-2);
	policy.apply(expired);
	CHECK(expired.state == CheckState::Critical);
	CHECK(expired.problems.at(0) == "the certificate expired 2.0 days ago (critical below 7)");

	int exitCode = -1;
	auto status = parseStatus(writeNagios(policy, {soon}, exitCode));
	CHECK(exitCode == 1);
	CHECK(status.items.back() == "'cert_days'=20.000000;30:;7:;");
	CHECK(status.labels.back() == "cert_days");
}

TEST_CASE("Several servers: the worst state, a line per server, labels per server", "[nagios][report]")
{
	CheckPolicy policy;
	CheckResult ok = resultFromJson("a:25", kEhloCheck);
	CheckResult stalled = resultFromJson("b:25", kStalledCheck);
	CheckResult broken = CheckResult::unknown("c'd:25", "check.lua:3: attempt to index a nil value");
	for (auto* r : {&ok, &stalled, &broken}) policy.apply(*r);
	CHECK(broken.state == CheckState::Unknown);

	int exitCode = -1;
	auto status = parseStatus(writeNagios(policy, {ok, stalled, broken}, exitCode));
	CHECK(exitCode == 2);
	CHECK(status.state == "CRITICAL");
	CHECK(status.text == "3 servers: 1 CRITICAL, 1 UNKNOWN, 1 OK");
	REQUIRE(status.longLines.size() == 3);
	CHECK(status.longLines[0] == "OK - a:25: 220 mx.example.com ESMTP in 0.014 s");
	CHECK(status.longLines[1] == "CRITICAL - b:25: ehlo: no complete reply within 2 s");
	CHECK(status.longLines[2] == "UNKNOWN - c'd:25: check.lua:3: attempt to index a nil value");
	CHECK(status.labels.front() == "a:25 time");
	CHECK(status.labels[11] == "b:25 quit");
	CHECK(status.labels.back() == "c'd:25 time");
	CHECK(status.items.back() == "'c''d:25 time'=U;;;0");
	CHECK(NagiosReport::overall({ok, broken}) == CheckState::Unknown);
	CHECK(NagiosReport::overall({}) == CheckState::Ok);
}

TEST_CASE("Reply text cannot break the status line", "[nagios][report]")
{
	CheckPolicy policy;
	CheckResult result = resultFromJson("mx:25", kStalledCheck);
	result.reason = "server said: 554 a | b\r\nmore";
	policy.apply(result);
	int exitCode = -1;
	std::string output = writeNagios(policy, {result}, exitCode);
	auto status = parseStatus(output);
	CHECK(status.text == "mx:25: ehlo: server said: 554 a / b  more");
	CHECK(status.longLines.empty());
}
