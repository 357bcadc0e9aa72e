// ImportError: a transcript that cannot be read without guessing. It names every line at fault,
// so a person can fix them all in one go.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace smtpx::replay {

// A message about one line of a source file (line 0: the file as a whole).
struct Diagnostic
{
	std::size_t line = 0;
	std::string message;
};

class ImportError : public std::runtime_error
{
public:
	explicit ImportError(std::vector<Diagnostic> problems);
	ImportError(std::size_t line, std::string message);

	const std::vector<Diagnostic>& problems() const { return _problems; }

	// "FILE:LINE: message" per problem, one a line, as compilers write them.
	std::string describe(const std::string& file) const;

private:
	std::vector<Diagnostic> _problems;
};

// Calls readLine(number, text) for each line (numbered from 1) and collects the problems it
// returns, then throws them all at once. An ImportError thrown on the way ends the reading: it
// is thrown with the problems collected before it.
void readEachLine(const std::vector<std::string>& lines,
	const std::function<std::optional<std::string>(std::size_t, const std::string&)>& readLine);

} // namespace smtpx::replay
