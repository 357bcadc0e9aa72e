// TlsContext: the Poco/OpenSSL client context for a set of TlsOptions, made once and shared.
#pragma once

#include "net/TlsOptions.h"

#include <Poco/Net/Context.h>

namespace smtpx::net {

class TlsContext
{
public:
	// The context for these options (the server name and `insecure` do not matter to it): trust
	// store, client certificate, protocol floor and ciphers, with TlsChannel observing every
	// handshake. Throws std::invalid_argument naming what cannot be loaded or understood.
	static Poco::Net::Context::Ptr forOptions(const TlsOptions& options);

private:
	static Poco::Net::Context::Ptr create(const TlsOptions& options);
};

} // namespace smtpx::net
