#include "cli/ScriptCatalog.h"

#include "cli/UsageError.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

namespace smtpx::cli {

namespace fs = std::filesystem;

namespace {

// The leading comment block without its "--" markers.
std::vector<std::string> headerLines(const std::string& path)
{
	std::ifstream in(path);
	std::vector<std::string> lines;
	std::string line;
	while (std::getline(in, line) && line.rfind("--", 0) == 0)
	{
		std::size_t start = line.find_first_not_of('-');
		if (start == std::string::npos) start = line.size();
		if (start < line.size() && line[start] == ' ') ++start;
		lines.push_back(line.substr(start));
	}
	return lines;
}

std::string summaryOf(const std::string& path)
{
	auto lines = headerLines(path);
	if (lines.empty()) return "(no description)";
	const std::string& first = lines.front();
	auto colon = first.find(": ");
	return colon == std::string::npos ? first : first.substr(colon + 2);
}

} // namespace

int listScripts(const DataPaths& paths, std::ostream& out)
{
	std::vector<fs::path> scripts;
	std::error_code ec;
	for (const auto& entry : fs::directory_iterator(paths.scriptsDir(), ec))
		if (entry.path().extension() == ".lua") scripts.push_back(entry.path());
	std::sort(scripts.begin(), scripts.end());
	for (const auto& script : scripts)
	{
		std::string name = script.stem().string();
		out << name << std::string(name.size() < 18 ? 18 - name.size() : 1, ' ') << summaryOf(script.string()) << '\n';
	}
	return 0;
}

int describeScript(const DataPaths& paths, const std::string& name, std::ostream& out)
{
	auto path = paths.findScript(name);
	if (!path) throw UsageError("no script '" + name + "'");
	for (const auto& line : headerLines(*path)) out << line << '\n';
	return 0;
}

} // namespace smtpx::cli
