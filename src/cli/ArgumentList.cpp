#include "cli/ArgumentList.h"

#include "cli/UsageError.h"

#include <charconv>
#include <optional>

namespace smtpx::cli {

namespace {

// The whole text as a number >= 0 that fits an int; nothing for anything else.
std::optional<int> wholeNumber(const std::string& text)
{
	int number = 0;
	auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
	if (ec != std::errc() || end != text.data() + text.size() || number < 0) return std::nullopt;
	return number;
}

} // namespace

std::string ArgumentList::take()
{
	std::string arg = _args.at(_next++);
	_hasInlineValue = false;
	auto equals = arg.find('=');
	if (arg.rfind("--", 0) == 0 && equals != std::string::npos)
	{
		_inlineValue = arg.substr(equals + 1);
		_hasInlineValue = true;
		arg.resize(equals);
	}
	return arg;
}

std::string ArgumentList::value(const std::string& option)
{
	if (_hasInlineValue)
	{
		_hasInlineValue = false;
		return _inlineValue;
	}
	if (done()) throw UsageError("option " + option + " needs a value");
	return _args[_next++];
}

double ArgumentList::positiveNumber(const std::string& option)
{
	std::string text = value(option);
	double number = 0;
	auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
	// inf and 1e300 parse too, but no timer runs that long (issue #7).
	constexpr double kMax = 1e6;
	if (ec != std::errc() || end != text.data() + text.size() || !(number > 0) || !(number <= kMax))
		throw UsageError("option " + option + " needs a positive number (up to 1000000), not '" + text + "'");
	return number;
}

int ArgumentList::positiveInteger(const std::string& option)
{
	std::string text = value(option);
	auto number = wholeNumber(text);
	if (!number || *number == 0)
		throw UsageError("option " + option + " needs a positive whole number, not '" + text + "'");
	return *number;
}

int ArgumentList::wholeNumberUpTo(const std::string& option, int most)
{
	std::string text = value(option);
	auto number = wholeNumber(text);
	if (!number || *number > most)
		throw UsageError("option " + option + " needs a whole number from 0 to " + std::to_string(most) + ", not '" + text + "'");
	return *number;
}

} // namespace smtpx::cli
