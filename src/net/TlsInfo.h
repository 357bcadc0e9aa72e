// TlsInfo: what a completed TLS handshake established and what the server's certificate says.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace smtpx::net {

struct TlsInfo
{
	std::string version;             // "TLSv1.3"
	std::string cipher;              // "TLS_AES_256_GCM_SHA384"
	std::string serverName;          // the name the certificate was checked against
	std::string subject;             // "O=Example,CN=mx.example.com"
	std::string issuer;
	std::vector<std::string> sans;   // subjectAltName DNS names and IP addresses
	std::int64_t notBefore = 0;      // unix time
	std::int64_t notAfter = 0;
	std::int64_t daysLeft = 0;       // whole days from the handshake to notAfter; negative: expired
	std::string sha256;              // fingerprint of the DER certificate, lower-case hex
	bool verified = false;           // chain, validity and host name all passed
	std::string verifyError;         // why not, when not
};

} // namespace smtpx::net
