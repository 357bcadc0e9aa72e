#include "replay/ImportError.h"

namespace smtpx::replay {

namespace {

std::string located(const std::string& file, const Diagnostic& problem)
{
	std::string where = file;
	if (problem.line) where += (where.empty() ? "line " : ":") + std::to_string(problem.line);
	return where.empty() ? problem.message : where + ": " + problem.message;
}

std::string joined(const std::string& file, const std::vector<Diagnostic>& problems)
{
	std::string text;
	for (const auto& problem : problems)
	{
		if (!text.empty()) text += '\n';
		text += located(file, problem);
	}
	return text;
}

} // namespace

ImportError::ImportError(std::vector<Diagnostic> problems):
	std::runtime_error(joined("", problems)),
	_problems(std::move(problems))
{
}

ImportError::ImportError(std::size_t line, std::string message):
	ImportError(std::vector<Diagnostic>{{line, std::move(message)}})
{
}

std::string ImportError::describe(const std::string& file) const
{
	return joined(file, _problems);
}

void readEachLine(const std::vector<std::string>& lines,
	const std::function<std::optional<std::string>(std::size_t, const std::string&)>& readLine)
{
	std::vector<Diagnostic> problems;
	try
	{
		for (std::size_t i = 0; i < lines.size(); ++i)
			if (auto problem = readLine(i + 1, lines[i])) problems.push_back({i + 1, std::move(*problem)});
	}
	catch (const ImportError& e)
	{
		problems.insert(problems.end(), e.problems().begin(), e.problems().end());
		throw ImportError(std::move(problems));
	}
	if (!problems.empty()) throw ImportError(std::move(problems));
}

} // namespace smtpx::replay
