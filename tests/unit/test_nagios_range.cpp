// NagiosRange and Thresholds: every form of the Monitoring Plugins range syntax, its edges, the
// texts it refuses, and that critical outranks warning.
#include "report/NagiosRange.h"
#include "report/Thresholds.h"

#include <catch2/catch.hpp>

#include <stdexcept>

using smtpx::report::CheckState;
using smtpx::report::NagiosRange;
using smtpx::report::Thresholds;

TEST_CASE("A bare number alerts outside 0..N, ends included", "[nagios][range]")
{
	auto range = NagiosRange::parse("10");
	CHECK_FALSE(range.alerts(0));
	CHECK_FALSE(range.alerts(5.5));
	CHECK_FALSE(range.alerts(10));
	CHECK(range.alerts(10.001));
	CHECK(range.alerts(-0.001));
	CHECK(range.text() == "10");
}

TEST_CASE("N: alerts below N only", "[nagios][range]")
{
	auto range = NagiosRange::parse("10:");
	CHECK(range.alerts(9.99));
	CHECK_FALSE(range.alerts(10));
	CHECK_FALSE(range.alerts(1e12));
}

TEST_CASE("~:N alerts above N only, however negative the value", "[nagios][range]")
{
	auto range = NagiosRange::parse("~:10");
	CHECK_FALSE(range.alerts(-1e12));
	CHECK_FALSE(range.alerts(10));
	CHECK(range.alerts(10.5));
}

TEST_CASE("M:N alerts outside M..N", "[nagios][range]")
{
	auto range = NagiosRange::parse("10:20");
	CHECK(range.alerts(9));
	CHECK_FALSE(range.alerts(10));
	CHECK_FALSE(range.alerts(20));
	CHECK(range.alerts(21));
}

TEST_CASE("@M:N alerts inside M..N, ends included", "[nagios][range]")
{
	auto range = NagiosRange::parse("@10:20");
	CHECK_FALSE(range.alerts(9.9));
	CHECK(range.alerts(10));
	CHECK(range.alerts(15));
	CHECK(range.alerts(20));
	CHECK_FALSE(range.alerts(20.1));
	CHECK(range.text() == "@10:20");
}

TEST_CASE("Other forms: @N, :N, decimals and negative numbers", "[nagios][range]")
{
	CHECK(NagiosRange::parse("@5").alerts(0));
	CHECK_FALSE(NagiosRange::parse("@5").alerts(6));
	CHECK(NagiosRange::parse(":5").alerts(-1));  // an empty start is 0
	CHECK_FALSE(NagiosRange::parse("0.5:1.5").alerts(1.25));
	CHECK(NagiosRange::parse("0.5:1.5").alerts(0.25));
	CHECK_FALSE(NagiosRange::parse("-5:-1").alerts(-3));
	CHECK(NagiosRange::parse("-5:-1").alerts(0));
	CHECK(NagiosRange::parse("@~:3").alerts(-100));
	CHECK_FALSE(NagiosRange::parse("@~:3").alerts(3.5));
}

TEST_CASE("Malformed ranges are refused with the text in the message", "[nagios][range]")
{
	for (const char* bad : {"", "@", "abc", "10:5", "1:2:3", "~", "5~", "10s", "inf", "nan", ":~", "1,5", " 5"})
	{
		INFO("range '" << bad << "'");
		CHECK_THROWS_AS(NagiosRange::parse(bad), std::invalid_argument);
	}
	CHECK_THROWS_WITH(NagiosRange::parse("10:5"), Catch::Contains("'10:5'") && Catch::Contains("start is above its end"));
}

TEST_CASE("atLeast(N) is N: and keeps a readable text", "[nagios][range]")
{
	auto range = NagiosRange::atLeast(30);
	CHECK(range.text() == "30:");
	CHECK(range.alerts(29.5));
	CHECK_FALSE(range.alerts(30));
	CHECK(NagiosRange::atLeast(7.5).text() == "7.5:");
}

TEST_CASE("Thresholds: critical is judged before warning", "[nagios][thresholds]")
{
	Thresholds t;
	t.warning = NagiosRange::parse("2");
	t.critical = NagiosRange::parse("5");
	CHECK(t.evaluate(1) == CheckState::Ok);
	CHECK(t.evaluate(2) == CheckState::Ok);
	CHECK(t.evaluate(3) == CheckState::Warning);
	CHECK(t.evaluate(5) == CheckState::Warning);
	CHECK(t.evaluate(5.01) == CheckState::Critical);

	// Swapped by mistake (warning wider than critical): a value beyond critical is still CRITICAL.
	Thresholds swapped;
	swapped.warning = NagiosRange::parse("5");
	swapped.critical = NagiosRange::parse("2");
	CHECK(swapped.evaluate(3) == CheckState::Critical);
	CHECK(swapped.evaluate(1) == CheckState::Ok);

	Thresholds onlyWarning;
	onlyWarning.warning = NagiosRange::parse("@0:1");
	CHECK(onlyWarning.evaluate(0.5) == CheckState::Warning);
	CHECK(onlyWarning.evaluate(1.5) == CheckState::Ok);
	CHECK(Thresholds{}.evaluate(1e9) == CheckState::Ok);
}
