#include "cli/ScriptHeader.h"

#include <fstream>

namespace smtpx::cli {

namespace {

// An option line is indented by two spaces; its continuations by more.
constexpr std::string_view kOptionIndent = "  ";

bool isContinuation(const std::string& line)
{
	return line.starts_with(std::string(kOptionIndent) + " ");
}

std::string trimmed(const std::string& text)
{
	std::size_t start = text.find_first_not_of(' ');
	return start == std::string::npos ? "" : text.substr(start);
}

// "  server    HOST[:PORT] to talk to": the name runs up to the first gap of two spaces.
ScriptHeader::Option optionOf(const std::string& line)
{
	std::string text = line.substr(kOptionIndent.size());
	std::size_t gap = text.find("  ");
	if (gap == std::string::npos) return {text, ""};
	return {text.substr(0, gap), trimmed(text.substr(gap))};
}

} // namespace

ScriptHeader ScriptHeader::read(const std::string& path)
{
	std::ifstream in(path);
	return parse(in);
}

ScriptHeader ScriptHeader::parse(std::istream& in)
{
	ScriptHeader header;
	std::string line;
	while (std::getline(in, line) && line.rfind("--", 0) == 0)
	{
		std::size_t start = line.find_first_not_of('-');
		if (start == std::string::npos) start = line.size();
		if (start < line.size() && line[start] == ' ') ++start;
		header._lines.push_back(line.substr(start));
	}
	return header;
}

std::string ScriptHeader::summary() const
{
	if (_lines.empty()) return "(no description)";
	const std::string& first = _lines.front();
	auto colon = first.find(": ");
	return colon == std::string::npos ? first : first.substr(colon + 2);
}

std::vector<ScriptHeader::Option> ScriptHeader::options() const
{
	std::vector<Option> options;
	auto line = _lines.begin();
	while (line != _lines.end() && !line->starts_with("Options")) ++line;
	if (line == _lines.end()) return options;
	for (++line; line != _lines.end() && line->starts_with(kOptionIndent); ++line)
	{
		if (!isContinuation(*line))
			options.push_back(optionOf(*line));
		else if (!options.empty())
			options.back().description += " " + trimmed(*line);
	}
	return options;
}

} // namespace smtpx::cli
