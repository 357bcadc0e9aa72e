#include "net/tls/TlsModuleProvider.h"

#include "net/tls/TlsChannel.h"
#include "net/tls/TlsContext.h"

#include <map>
#include <mutex>

namespace smtpx::net {

namespace {

// A Poco context behind the opaque handle the rest of smtpx holds.
class PocoContextHandle : public TlsContextHandle
{
public:
	explicit PocoContextHandle(Poco::Net::Context::Ptr context): context(std::move(context)) {}
	Poco::Net::Context::Ptr context;
};

} // namespace

std::shared_ptr<TlsContextHandle> TlsModuleProvider::context(const TlsOptions& options)
{
	// One handle per context, so a cached context gives the same handle each time.
	static std::mutex mutex;
	static std::map<Poco::Net::Context*, std::shared_ptr<TlsContextHandle>> handles;
	Poco::Net::Context::Ptr context = TlsContext::forOptions(options);
	std::lock_guard lock(mutex);
	// Bounded like TlsContext's own cache; sessions keep the handles they hold.
	if (handles.size() >= 64 && !handles.count(context.get())) handles.clear();
	auto& handle = handles[context.get()];
	if (!handle) handle = std::make_shared<PocoContextHandle>(context);
	return handle;
}

std::unique_ptr<SecureChannel> TlsModuleProvider::open(const Poco::Net::StreamSocket& plain,
	const TlsContextHandle& context, std::string serverName)
{
	const auto& poco = dynamic_cast<const PocoContextHandle&>(context);
	return std::make_unique<TlsChannel>(plain, poco.context, std::move(serverName));
}

} // namespace smtpx::net

extern "C" smtpx::net::TlsProvider& smtpx_tls_provider()
{
	static smtpx::net::TlsModuleProvider provider;
	return provider;
}
