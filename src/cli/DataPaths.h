// DataPaths: where the bundled stdlib/ and scripts/ are, and how a script name is found.
#pragma once

#include "lua/Engine.h"

#include <optional>
#include <string>
#include <vector>

namespace smtpx::cli {

class DataPaths
{
public:
	// Looks beside the executable (<prefix>/bin/smtpx -> <prefix>/share/smtpx), then the install
	// data directory, then the source tree it was built from; SMTPX_PATH (':'-separated) adds
	// directories searched first for scripts and modules.
	static DataPaths discover();

	// A path that exists as given, or a bare name ("send_plain", "send_plain.lua") searched in
	// SMTPX_PATH and the bundled scripts/.
	std::optional<std::string> findScript(const std::string& nameOrPath) const;

	// Engine settings every subcommand starts from: module path, stdlib, and `timeout` seconds
	// for each reply and each connect.
	lua::EngineSettings engineSettings(double timeout) const;

	// Directories for require(), first wins.
	std::vector<std::string> moduleDirs() const;
	const std::string& stdlibDir() const { return _stdlibDir; }
	const std::string& scriptsDir() const { return _scriptsDir; }

private:
	std::vector<std::string> _userDirs;
	std::string _stdlibDir;
	std::string _scriptsDir;
};

} // namespace smtpx::cli
