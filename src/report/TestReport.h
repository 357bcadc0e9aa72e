// TestReport: the outcome of many replays or runs as a CI system reads it: JUnit XML (one
// <testcase> per transcript, or per server a script ran against) or TAP version 13.
#pragma once

#include <string>
#include <vector>

namespace smtpx::report {

struct TestCase
{
	std::string name;
	int exitCode = 0;       // 0: passed
	std::string message;    // why it failed (may span lines)
	double seconds = 0.0;
};

std::string junitXml(const std::string& suite, const std::vector<TestCase>& cases);
std::string tap(const std::vector<TestCase>& cases);

} // namespace smtpx::report
