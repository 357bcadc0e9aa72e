// TlsOptions: how a client sets up TLS and which server certificates it accepts.
#pragma once

#include <string>

namespace smtpx::net {

struct TlsOptions
{
	std::string caFile;              // trust the CAs in this PEM file instead of the system's
	std::string caDir;               // ... or in this hashed directory (openssl rehash)
	std::string certFile;            // client certificate (PEM, chain allowed)
	std::string keyFile;             // its unencrypted private key; "" = in certFile
	std::string minVersion = "1.2";  // lowest protocol version: "1.2" or "1.3"
	std::string ciphers;             // OpenSSL cipher list and/or TLS 1.3 suites (TLS_*); "" = default
	std::string serverName;          // sent as SNI and checked against the certificate
	bool insecure = false;           // go on whatever the certificate (its faults are still reported)
};

} // namespace smtpx::net
