#include "report/NagiosRange.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace smtpx::report {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

std::invalid_argument badRange(std::string_view text, const std::string& why)
{
	return std::invalid_argument("bad threshold range '" + std::string(text) + "': " + why);
}

double parseNumber(std::string_view whole, std::string_view number)
{
	double value = 0;
	auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
	if (number.empty() || ec != std::errc() || end != number.data() + number.size() || !std::isfinite(value))
		throw badRange(whole, "'" + std::string(number) + "' is not a number");
	return value;
}

} // namespace

NagiosRange::NagiosRange(double start, double end, bool inside, std::string text):
	_start(start), _end(end), _inside(inside), _text(std::move(text))
{
}

NagiosRange NagiosRange::parse(std::string_view text)
{
	std::string_view rest = text;
	bool inside = !rest.empty() && rest.front() == '@';
	if (inside) rest.remove_prefix(1);
	if (rest.empty()) throw badRange(text, "it is empty");
	double start = 0;
	double end = kInfinity;
	auto colon = rest.find(':');
	if (colon == std::string_view::npos)
	{
		end = parseNumber(text, rest);
	}
	else
	{
		std::string_view first = rest.substr(0, colon);
		std::string_view second = rest.substr(colon + 1);
		// An empty start is 0, as in the plugins' own parser; "~" is minus infinity.
		if (first == "~") start = -kInfinity;
		else if (!first.empty()) start = parseNumber(text, first);
		if (!second.empty()) end = parseNumber(text, second);
	}
	if (start > end) throw badRange(text, "its start is above its end");
	return NagiosRange(start, end, inside, std::string(text));
}

NagiosRange NagiosRange::atLeast(double minimum)
{
	std::ostringstream text;
	text << minimum << ':';
	return NagiosRange(minimum, kInfinity, false, text.str());
}

bool NagiosRange::alerts(double value) const
{
	bool within = value >= _start && value <= _end;
	return _inside ? within : !within;
}

} // namespace smtpx::report
