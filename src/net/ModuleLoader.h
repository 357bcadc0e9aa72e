// ModuleLoader: finds and loads one of smtpx's modules (shared objects it opens when a feature is
// first used, so a run that never uses it never pays for loading its libraries) and returns the
// function it exports.
#pragma once

#include <string>

namespace smtpx::net {

class ModuleLoader
{
public:
	// Loads `fileName` from beside the executable, from the install's library directory
	// (<exe>/../lib/smtpx), or from `buildPath` (test programs in the build tree), and returns
	// its exported `entryName`. Throws std::runtime_error naming every place it tried.
	static void* entry(const std::string& fileName, const char* entryName, const std::string& buildPath);
};

} // namespace smtpx::net
