#include "cli/DataPaths.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace smtpx::cli {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> splitPathList(const char* list)
{
	std::vector<std::string> dirs;
	if (!list) return dirs;
	std::string text(list);
	std::size_t start = 0;
	while (start <= text.size())
	{
		std::size_t end = text.find(':', start);
		if (end == std::string::npos) end = text.size();
		if (end > start) dirs.push_back(text.substr(start, end - start));
		start = end + 1;
	}
	return dirs;
}

std::string dataRoot()
{
	std::error_code ec;
	fs::path exe = fs::read_symlink("/proc/self/exe", ec);
	std::vector<fs::path> candidates;
	if (!ec) candidates.push_back(exe.parent_path().parent_path() / "share" / "smtpx");
	candidates.emplace_back(SMTPX_INSTALL_DATADIR);
	candidates.emplace_back(SMTPX_SOURCE_DIR);
	for (const auto& dir : candidates)
		if (fs::is_regular_file(dir / "stdlib" / "smtpx" / "core.lua", ec)) return fs::canonical(dir, ec).string();
	return SMTPX_SOURCE_DIR;
}

bool isFile(const fs::path& path)
{
	std::error_code ec;
	return fs::is_regular_file(path, ec);
}

} // namespace

DataPaths DataPaths::discover()
{
	DataPaths paths;
	paths._userDirs = splitPathList(std::getenv("SMTPX_PATH"));
	std::string root = dataRoot();
	paths._stdlibDir = root + "/stdlib";
	paths._scriptsDir = root + "/scripts";
	return paths;
}

std::optional<std::string> DataPaths::findScript(const std::string& nameOrPath) const
{
	if (isFile(nameOrPath)) return nameOrPath;
	if (nameOrPath.find('/') != std::string::npos) return std::nullopt;
	std::vector<std::string> dirs = _userDirs;
	dirs.push_back(_scriptsDir);
	for (const auto& dir : dirs)
	{
		for (const auto& candidate : {fs::path(dir) / nameOrPath, fs::path(dir) / (nameOrPath + ".lua")})
			if (isFile(candidate)) return candidate.string();
	}
	return std::nullopt;
}

lua::EngineSettings DataPaths::engineSettings(double timeout) const
{
	lua::EngineSettings settings;
	settings.replyTimeout = timeout;
	settings.connectTimeout = timeout;
	settings.moduleDirs = moduleDirs();
	settings.stdlibDir = _stdlibDir;
	return settings;
}

std::vector<std::string> DataPaths::moduleDirs() const
{
	std::vector<std::string> dirs = _userDirs;
	dirs.push_back(_stdlibDir);
	return dirs;
}

} // namespace smtpx::cli
