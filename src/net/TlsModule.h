// TlsModule: loads the TLS module (libsmtpx_tls.so: POCO NetSSL and OpenSSL) the first time a
// session starts TLS. Loading those libraries at start took about half of smtpx's start-up time,
// which a plain session or a script that only computes never needed.
#pragma once

#include "net/TlsProvider.h"

namespace smtpx::net {

class TlsModule
{
public:
	// The module's provider, loading it on first use. Throws TlsError naming the places it looked
	// (beside the executable, the install's library directory, the build tree) when it cannot.
	static TlsProvider& provider();

private:
	static TlsProvider& load();
};

} // namespace smtpx::net
