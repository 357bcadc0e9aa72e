// TlsModuleProvider: the TlsProvider the TLS module exports (TlsContext for contexts, TlsChannel
// for channels).
#pragma once

#include "net/TlsProvider.h"

namespace smtpx::net {

class TlsModuleProvider : public TlsProvider
{
public:
	std::shared_ptr<TlsContextHandle> context(const TlsOptions& options) override;
	std::unique_ptr<SecureChannel> open(const Poco::Net::StreamSocket& plain, const TlsContextHandle& context,
		std::string serverName) override;
};

} // namespace smtpx::net
