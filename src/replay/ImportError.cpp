#include "replay/ImportError.h"

namespace smtpx::replay {

namespace {

// Messages quote the lines at fault, which may hold anything a paste can: control bytes (ESC
// sequences would drive the terminal) show as \xHH, as do C1 controls in UTF-8 (U+0080-U+009F).
std::string printable(std::string_view text)
{
	static const char* hex = "0123456789abcdef";
	std::string out;
	for (std::size_t i = 0; i < text.size(); ++i)
	{
		const unsigned char c = static_cast<unsigned char>(text[i]);
		const bool c1 = c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0 &&
			static_cast<unsigned char>(text[i + 1]) >= 0x80;
		if ((c >= 0x20 && c != 0x7f) && !c1)
		{
			out += static_cast<char>(c);
			continue;
		}
		for (std::size_t k = i; k <= (c1 ? i + 1 : i); ++k)
		{
			const unsigned char b = static_cast<unsigned char>(text[k]);
			out += "\\x";
			out += hex[b >> 4];
			out += hex[b & 15];
		}
		if (c1) ++i;
	}
	return out;
}

std::string located(const std::string& file, const Diagnostic& problem)
{
	std::string where = file;
	if (problem.line) where += (where.empty() ? "line " : ":") + std::to_string(problem.line);
	std::string message = printable(problem.message);
	return where.empty() ? message : where + ": " + message;
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
