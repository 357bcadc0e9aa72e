#include "net/TlsModule.h"

#include "net/ModuleLoader.h"

#include <stdexcept>

namespace smtpx::net {

TlsProvider& TlsModule::provider()
{
	// Loaded once per process, whichever event-loop thread asks first.
	static TlsProvider& provider = load();
	return provider;
}

TlsProvider& TlsModule::load()
{
	try
	{
		using Entry = TlsProvider& (*)();
		auto entry = reinterpret_cast<Entry>(ModuleLoader::entry("libsmtpx_tls.so", "smtpx_tls_provider", SMTPX_BUILD_TLS_MODULE));
		return entry();
	}
	catch (const std::runtime_error& e)
	{
		throw TlsError(std::string("TLS is not available: ") + e.what());
	}
}

} // namespace smtpx::net
