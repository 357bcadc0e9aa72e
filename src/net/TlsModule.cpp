#include "net/TlsModule.h"

#include <dlfcn.h>

#include <filesystem>
#include <string>
#include <vector>

namespace smtpx::net {

namespace {

constexpr const char* kModuleName = "libsmtpx_tls.so";

std::vector<std::filesystem::path> candidates()
{
	std::vector<std::filesystem::path> paths;
	std::error_code ec;
	std::filesystem::path exeDir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
	if (!ec)
	{
		paths.push_back(exeDir / kModuleName);                                            // the build tree
		paths.push_back(exeDir.parent_path() / SMTPX_INSTALL_LIBDIR / "smtpx" / kModuleName);  // installed
	}
	paths.emplace_back(SMTPX_BUILD_TLS_MODULE);  // test programs in the build tree
	return paths;
}

} // namespace

TlsProvider& TlsModule::provider()
{
	// Loaded once per process, whichever event-loop thread asks first.
	static TlsProvider& provider = load();
	return provider;
}

TlsProvider& TlsModule::load()
{
	std::string tried;
	for (const auto& path : candidates())
	{
		void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
		if (!module)
		{
			tried += "\n  " + path.string() + ": " + dlerror();
			continue;
		}
		using Entry = TlsProvider& (*)();
		if (auto entry = reinterpret_cast<Entry>(dlsym(module, "smtpx_tls_provider"))) return entry();
		tried += "\n  " + path.string() + ": no smtpx_tls_provider";
		dlclose(module);
	}
	throw TlsError("TLS is not available: cannot load " + std::string(kModuleName) + tried);
}

} // namespace smtpx::net
