#include "net/ModuleLoader.h"

#include <dlfcn.h>

#include <filesystem>
#include <stdexcept>
#include <vector>

namespace smtpx::net {

namespace {

std::vector<std::filesystem::path> candidates(const std::string& fileName, const std::string& buildPath)
{
	std::vector<std::filesystem::path> paths;
	std::error_code ec;
	std::filesystem::path exeDir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
	if (!ec)
	{
		paths.push_back(exeDir / fileName);                                            // the build tree
		paths.push_back(exeDir.parent_path() / SMTPX_INSTALL_LIBDIR / "smtpx" / fileName);  // installed
	}
	paths.emplace_back(buildPath);
	return paths;
}

} // namespace

void* ModuleLoader::entry(const std::string& fileName, const char* entryName, const std::string& buildPath)
{
	std::string tried;
	for (const auto& path : candidates(fileName, buildPath))
	{
		void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
		if (!module)
		{
			tried += "\n  " + path.string() + ": " + dlerror();
			continue;
		}
		if (void* found = dlsym(module, entryName)) return found;
		tried += "\n  " + path.string() + ": no " + entryName;
		dlclose(module);
	}
	throw std::runtime_error("cannot load " + fileName + tried);
}

} // namespace smtpx::net
