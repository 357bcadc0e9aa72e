// TlsProvider: what the TLS module (src/net/tls) gives the rest of smtpx: client contexts for a
// set of TlsOptions, and channels that put TLS on a connected socket.
#pragma once

#include "net/SecureChannel.h"
#include "net/TlsOptions.h"

#include <memory>
#include <string>

namespace smtpx::net {

// A client context (trust store, client certificate, versions, ciphers): opaque outside the module.
class TlsContextHandle
{
public:
	virtual ~TlsContextHandle() = default;
};

class TlsProvider
{
public:
	virtual ~TlsProvider() = default;

	// The context for these options (the server name and `insecure` do not matter to it), made
	// once and shared. Throws std::invalid_argument naming what cannot be loaded or understood.
	virtual std::shared_ptr<TlsContextHandle> context(const TlsOptions& options) = 0;

	// Puts TLS on `plain`, which must be non-blocking. `serverName` is sent as SNI (unless it is
	// an IP address, which SNI must not carry) and the certificate is checked against it.
	virtual std::unique_ptr<SecureChannel> open(const Poco::Net::StreamSocket& plain, const TlsContextHandle& context,
		std::string serverName) = 0;
};

} // namespace smtpx::net

// The module's one entry point, looked up by name after dlopen.
extern "C" smtpx::net::TlsProvider& smtpx_tls_provider();
