#include "report/TestReport.h"

#include <algorithm>
#include <cstdio>

namespace smtpx::report {

namespace {

std::string xmlEscaped(const std::string& text)
{
	std::string out;
	for (unsigned char c : text)
	{
		switch (c)
		{
		case '&': out += "&amp;"; break;
		case '<': out += "&lt;"; break;
		case '>': out += "&gt;"; break;
		case '"': out += "&quot;"; break;
		default:
			// XML 1.0 allows no control characters but tab and line ends.
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') out += '?';
			else out += static_cast<char>(c);
		}
	}
	return out;
}

std::string seconds(double value)
{
	char text[32];
	std::snprintf(text, sizeof text, "%.3f", value);
	return text;
}

std::string firstLine(const std::string& text)
{
	return text.substr(0, text.find('\n'));
}

// A '#' in a TAP description would start a directive.
std::string tapName(const std::string& name)
{
	std::string out;
	for (char c : name)
	{
		if (c == '#') out += '\\';
		out += c;
	}
	return out;
}

} // namespace

std::string junitXml(const std::string& suite, const std::vector<TestCase>& cases)
{
	auto failures = std::count_if(cases.begin(), cases.end(), [](const TestCase& c) { return c.exitCode != 0; });
	double total = 0;
	for (const auto& c : cases) total += c.seconds;
	std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
	xml += "<testsuites>\n<testsuite name=\"" + xmlEscaped(suite) + "\" tests=\"" + std::to_string(cases.size()) +
		"\" failures=\"" + std::to_string(failures) + "\" errors=\"0\" time=\"" + seconds(total) + "\">\n";
	for (const auto& c : cases)
	{
		xml += "  <testcase classname=\"" + xmlEscaped(suite) + "\" name=\"" + xmlEscaped(c.name) + "\" time=\"" +
			seconds(c.seconds) + "\"";
		if (c.exitCode == 0)
		{
			xml += "/>\n";
			continue;
		}
		xml += ">\n    <failure message=\"" + xmlEscaped(firstLine(c.message)) + "\" type=\"exit " +
			std::to_string(c.exitCode) + "\">" + xmlEscaped(c.message) + "</failure>\n  </testcase>\n";
	}
	xml += "</testsuite>\n</testsuites>\n";
	return xml;
}

std::string tap(const std::vector<TestCase>& cases)
{
	std::string out = "TAP version 13\n1.." + std::to_string(cases.size()) + "\n";
	for (std::size_t i = 0; i < cases.size(); ++i)
	{
		const TestCase& c = cases[i];
		out += (c.exitCode == 0 ? "ok " : "not ok ") + std::to_string(i + 1) + " - " + tapName(c.name) + "\n";
		if (c.exitCode == 0) continue;
		out += "  ---\n  exit: " + std::to_string(c.exitCode) + "\n  message: |\n";
		std::size_t start = 0;
		while (start <= c.message.size())
		{
			std::size_t end = c.message.find('\n', start);
			out += "    " + c.message.substr(start, end - start) + "\n";
			if (end == std::string::npos) break;
			start = end + 1;
		}
		out += "  ...\n";
	}
	return out;
}

} // namespace smtpx::report
