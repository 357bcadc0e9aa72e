// ArgumentList: walks a subcommand's arguments; options take their value as the next argument
// or after '=' ("--timeout 5", "--timeout=5").
#pragma once

#include <string>
#include <vector>

namespace smtpx::cli {

class ArgumentList
{
public:
	explicit ArgumentList(std::vector<std::string> args): _args(std::move(args)) {}

	bool done() const { return _next >= _args.size(); }
	// The next argument; splits "--name=value" so that value() returns "value".
	std::string take();
	// The value of the option just taken; throws UsageError when it is missing.
	std::string value(const std::string& option);
	double positiveNumber(const std::string& option);
	int positiveInteger(const std::string& option);
	int wholeNumberUpTo(const std::string& option, int most);  // 0 to most

private:
	std::vector<std::string> _args;
	std::size_t _next = 0;
	std::string _inlineValue;
	bool _hasInlineValue = false;
};

} // namespace smtpx::cli
