#include "net/tls/TlsContext.h"

#include "net/tls/TlsChannel.h"

#include <Poco/Net/NetSSL.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <map>
#include <mutex>
#include <stdexcept>

namespace smtpx::net {

namespace {

// Loading the system trust store takes milliseconds; a run with thousands of sessions must not
// pay that per session. Contexts differ only by options, so a few are ever made.
constexpr std::size_t kMaxCached = 32;

std::string cacheKey(const TlsOptions& options)
{
	std::string key;
	for (const std::string* part : {&options.caFile, &options.caDir, &options.certFile, &options.keyFile,
		&options.minVersion, &options.ciphers})
	{
		key += *part;
		key += '\0';
	}
	return key;
}

std::string lastOpenSslError()
{
	unsigned long code = ERR_get_error();
	ERR_clear_error();
	if (!code) return "unknown error";
	char text[256];
	ERR_error_string_n(code, text, sizeof text);
	return text;
}

void loadTrust(SSL_CTX* context, const TlsOptions& options)
{
	if (options.caFile.empty() && options.caDir.empty())
	{
		if (SSL_CTX_set_default_verify_paths(context) != 1)
			throw std::invalid_argument("cannot load the system CA certificates: " + lastOpenSslError());
		return;
	}
	const char* file = options.caFile.empty() ? nullptr : options.caFile.c_str();
	const char* dir = options.caDir.empty() ? nullptr : options.caDir.c_str();
	if (SSL_CTX_load_verify_locations(context, file, dir) != 1)
		throw std::invalid_argument("cannot load CA certificates from " + (file ? options.caFile : options.caDir) +
			": " + lastOpenSslError());
}

void setMinimumVersion(SSL_CTX* context, const std::string& version)
{
	int floor;
	if (version == "1.2") floor = TLS1_2_VERSION;
	else if (version == "1.3") floor = TLS1_3_VERSION;
	else throw std::invalid_argument("TLS minimum version must be 1.2 or 1.3, not '" + version + "'");
	SSL_CTX_set_min_proto_version(context, floor);
}

// TLS 1.3 suites (TLS_AES_128_GCM_SHA256, ...) and older cipher lists are set by different calls;
// one option takes both, so scripts need not know which is which.
void setCiphers(SSL_CTX* context, const std::string& ciphers)
{
	if (ciphers.empty()) return;
	std::string suites, list;
	std::size_t start = 0;
	while (start <= ciphers.size())
	{
		std::size_t end = std::min(ciphers.find(':', start), ciphers.size());
		std::string item = ciphers.substr(start, end - start);
		std::string& target = item.rfind("TLS_", 0) == 0 ? suites : list;
		if (!item.empty()) target += (target.empty() ? "" : ":") + item;
		start = end + 1;
	}
	if (!suites.empty() && SSL_CTX_set_ciphersuites(context, suites.c_str()) != 1)
		throw std::invalid_argument("no usable TLS 1.3 cipher suite in '" + suites + "': " + lastOpenSslError());
	if (!list.empty() && SSL_CTX_set_cipher_list(context, list.c_str()) != 1)
		throw std::invalid_argument("no usable cipher in '" + list + "': " + lastOpenSslError());
}

// OpenSSL would ask for a pass phrase on the terminal (or Poco's handler would): refuse instead.
int refusePassphrase(char*, int, int, void*)
{
	return 0;
}

void loadClientCertificate(SSL_CTX* context, const TlsOptions& options)
{
	if (options.certFile.empty())
	{
		if (!options.keyFile.empty()) throw std::invalid_argument("a TLS client key needs its certificate too");
		return;
	}
	const std::string& keyFile = options.keyFile.empty() ? options.certFile : options.keyFile;
	SSL_CTX_set_default_passwd_cb(context, refusePassphrase);
	if (SSL_CTX_use_certificate_chain_file(context, options.certFile.c_str()) != 1)
		throw std::invalid_argument("cannot load client certificate " + options.certFile + ": " + lastOpenSslError());
	if (SSL_CTX_use_PrivateKey_file(context, keyFile.c_str(), SSL_FILETYPE_PEM) != 1)
	{
		std::string error = lastOpenSslError();
		if (error.find("bad decrypt") != std::string::npos || error.find("bad password") != std::string::npos)
			error += " (encrypted keys are not supported)";
		throw std::invalid_argument("cannot load client key " + keyFile + ": " + error);
	}
	if (SSL_CTX_check_private_key(context) != 1)
		throw std::invalid_argument("client key " + keyFile + " does not belong to " + options.certFile);
}

} // namespace

Poco::Net::Context::Ptr TlsContext::forOptions(const TlsOptions& options)
{
	static std::mutex mutex;
	static std::map<std::string, Poco::Net::Context::Ptr> cache;
	std::string key = cacheKey(options);
	std::lock_guard lock(mutex);
	auto found = cache.find(key);
	if (found != cache.end()) return found->second;
	Poco::Net::Context::Ptr context = create(options);
	if (cache.size() >= kMaxCached) cache.clear();
	cache.emplace(key, context);
	return context;
}

Poco::Net::Context::Ptr TlsContext::create(const TlsOptions& options)
{
	static std::once_flag initialized;
	std::call_once(initialized, [] { Poco::Net::initializeSSL(); });
	Poco::Net::Context::Params params;
	// Trust, client certificate and ciphers are set on the SSL_CTX below, where their errors can
	// be told apart; TlsChannel replaces Poco's verification callback.
	params.loadDefaultCAs = false;
	params.cipherList = "DEFAULT";
	Poco::Net::Context::Ptr context;
	try
	{
		context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
	}
	catch (const Poco::Exception& e)
	{
		throw std::invalid_argument("cannot create a TLS context: " + e.displayText());
	}
	SSL_CTX* sslContext = context->sslContext();
	ERR_clear_error();
	loadTrust(sslContext, options);
	setMinimumVersion(sslContext, options.minVersion);
	setCiphers(sslContext, options.ciphers);
	loadClientCertificate(sslContext, options);
	// Connection keeps unsent output in a buffer that grows and moves between retries.
	SSL_CTX_set_mode(sslContext, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	// A server that closes TCP without close_notify has still ended the session; SMTP replies
	// and the data terminator are self-delimiting, so a truncation attack gains nothing.
	SSL_CTX_set_options(sslContext, SSL_OP_IGNORE_UNEXPECTED_EOF);
	TlsChannel::observe(sslContext);
	return context;
}

} // namespace smtpx::net
