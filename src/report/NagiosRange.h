// NagiosRange: a threshold range in the Monitoring Plugins syntax, and whether a value alerts.
//   "10"     alert outside 0..10          "10:"    alert below 10
//   "~:10"   alert above 10               "10:20"  alert outside 10..20
//   "@10:20" alert inside 10..20 (ends included)
#pragma once

#include <string>
#include <string_view>

namespace smtpx::report {

class NagiosRange
{
public:
	// Throws std::invalid_argument naming the text for anything else (start above end, junk,
	// infinities spelt other than "~", an empty end after "@").
	static NagiosRange parse(std::string_view text);

	// "N:" — alerts below `minimum` (certificate days left, for instance).
	static NagiosRange atLeast(double minimum);

	bool alerts(double value) const;

	// The range as it was written, for perfdata and messages.
	const std::string& text() const { return _text; }

private:
	NagiosRange(double start, double end, bool inside, std::string text);

	double _start;
	double _end;
	bool _inside;
	std::string _text;
};

} // namespace smtpx::report
