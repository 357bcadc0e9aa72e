#include "net/tls/TlsChannel.h"

#include <Poco/Net/IPAddress.h>
#include <Poco/Net/X509Certificate.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <ctime>

namespace smtpx::net {

using Poco::Net::SecureStreamSocket;

namespace {

// OpenSSL's callbacks carry no pointer of ours. A handshake step runs wholly inside advance(), on
// the loop's thread, so the channel being advanced is the one a callback belongs to.
thread_local TlsChannel* tObserved = nullptr;

class Observing
{
public:
	explicit Observing(TlsChannel& channel) { tObserved = &channel; }
	~Observing() { tObserved = nullptr; }
};

// Poco's "TLS must read/write first" codes as SecureChannel's, compared by name.
int byName(int result)
{
	if (result == SecureStreamSocket::ERR_SSL_WANT_READ) return SecureChannel::kWantRead;
	if (result == SecureStreamSocket::ERR_SSL_WANT_WRITE) return SecureChannel::kWantWrite;
	return result;
}

// Runs a step of closing whose failure changes nothing (the stream ends either way), leaving
// no OpenSSL error behind for the next call on this thread to mistake for its own.
template <typename Step>
void ignoringFailure(Step step)
{
	ERR_clear_error();
	try
	{
		step();
	}
	catch (const Poco::Exception&)
	{
	}
	ERR_clear_error();
}

bool isIpAddress(const std::string& name)
{
	Poco::Net::IPAddress address;
	return Poco::Net::IPAddress::tryParse(name, address);
}

std::int64_t unixTime(const ASN1_TIME* time)
{
	std::tm parts{};
	if (!time || ASN1_TIME_to_tm(time, &parts) != 1) return 0;
	return static_cast<std::int64_t>(timegm(&parts));
}

std::string formatUtc(std::int64_t time)
{
	std::time_t seconds = static_cast<std::time_t>(time);
	std::tm parts{};
	gmtime_r(&seconds, &parts);
	char text[32];
	std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &parts);
	return text;
}

std::string toHex(const std::vector<unsigned char>& bytes)
{
	static const char* digits = "0123456789abcdef";
	std::string text;
	for (unsigned char byte : bytes)
	{
		text += digits[byte >> 4];
		text += digits[byte & 15];
	}
	return text;
}

std::string ipText(const ASN1_OCTET_STRING* address)
{
	char text[INET6_ADDRSTRLEN] = "";
	int length = ASN1_STRING_length(address);
	int family = length == 4 ? AF_INET : length == 16 ? AF_INET6 : 0;
	if (!family || !inet_ntop(family, ASN1_STRING_get0_data(address), text, sizeof text)) return "(bad IP address)";
	return text;
}

std::vector<std::string> subjectAltNames(const X509* certificate)
{
	std::vector<std::string> names;
	auto* list = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
	if (!list) return names;
	for (int i = 0; i < sk_GENERAL_NAME_num(list); ++i)
	{
		const GENERAL_NAME* name = sk_GENERAL_NAME_value(list, i);
		if (name->type == GEN_DNS)
		{
			const ASN1_STRING* dns = name->d.dNSName;
			names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
				static_cast<std::size_t>(ASN1_STRING_length(dns)));
		}
		else if (name->type == GEN_IPADD)
		{
			names.push_back(ipText(name->d.iPAddress));
		}
	}
	GENERAL_NAMES_free(list);
	return names;
}

std::string describe(const Poco::Exception& e)
{
	std::string text = e.message().empty() ? e.displayText() : e.message();
	if (text.find("wrong version number") != std::string::npos)
		text += " (the server did not answer in TLS: plain text on a TLS port?)";
	return text;
}

// A SecureStreamSocket made any other way (even default-constructed, to assign later) would set up
// Poco's default client context from an application configuration.
SecureStreamSocket attachTls(const Poco::Net::StreamSocket& plain, const std::string& serverName,
	Poco::Net::Context::Ptr context)
{
	try
	{
		return SecureStreamSocket::attach(plain, isIpAddress(serverName) ? std::string() : serverName, context);
	}
	catch (const Poco::Exception& e)
	{
		ERR_clear_error();
		throw TlsError("cannot start TLS: " + describe(e));
	}
}

} // namespace

TlsChannel::TlsChannel(const Poco::Net::StreamSocket& plain, Poco::Net::Context::Ptr context, std::string serverName):
	_plain(plain),
	_secure(attachTls(plain, serverName, context)),
	_serverName(std::move(serverName))
{
}

void TlsChannel::observe(SSL_CTX* context)
{
	SSL_CTX_set_info_callback(context, onInfo);
	// Replaces Poco's callback, which would hand faults to SSLManager's certificate handlers
	// (they may prompt on the console or need an Application's configuration).
	SSL_CTX_set_verify(context, SSL_VERIFY_PEER, onVerify);
}

void TlsChannel::onInfo(const SSL* ssl, int where, int)
{
	if (tObserved && (where & SSL_CB_HANDSHAKE_START)) tObserved->_ssl = const_cast<SSL*>(ssl);
}

int TlsChannel::onVerify(int ok, X509_STORE_CTX* store)
{
	if (!ok && tObserved && !tObserved->_fault)
	{
		tObserved->_fault = Fault{X509_STORE_CTX_get_error(store), X509_STORE_CTX_get_error_depth(store),
			Poco::Crypto::X509Certificate(X509_STORE_CTX_get_current_cert(store), true)};
	}
	// Go on: advance() decides once the whole certificate is known, so --insecure can still
	// report what is wrong, and every fault is named the same way.
	return 1;
}

TlsChannel::Step TlsChannel::advance()
{
	int result;
	try
	{
		Observing observing(*this);
		// SSL_get_error() takes any error still queued on this thread for this call's.
		ERR_clear_error();
		result = _secure.completeHandshake();
	}
	catch (const Poco::Exception& e)
	{
		ERR_clear_error();
		throw TlsError("TLS handshake failed: " + describe(e));
	}
	if (result == SecureStreamSocket::ERR_SSL_WANT_READ) return Step::WantRead;
	if (result == SecureStreamSocket::ERR_SSL_WANT_WRITE) return Step::WantWrite;
	if (result != 1) throw TlsError("TLS handshake failed: the server closed the connection");
	inspect();
	return Step::Done;
}

void TlsChannel::inspect()
{
	_info.serverName = _serverName;
	if (_ssl)
	{
		_info.version = SSL_get_version(_ssl);
		if (const SSL_CIPHER* cipher = SSL_get_current_cipher(_ssl)) _info.cipher = SSL_CIPHER_get_name(cipher);
	}
	if (!_secure.havePeerCertificate())
	{
		_info.verifyError = "the server sent no certificate";
		return;
	}
	Poco::Net::X509Certificate certificate = _secure.peerCertificate();
	const X509* x509 = certificate.certificate();
	_info.subject = certificate.subjectName();
	_info.issuer = certificate.issuerName();
	_info.sans = subjectAltNames(x509);
	_info.notBefore = unixTime(X509_get0_notBefore(x509));
	_info.notAfter = unixTime(X509_get0_notAfter(x509));
	std::int64_t left = _info.notAfter - static_cast<std::int64_t>(std::time(nullptr));
	_info.daysLeft = left >= 0 ? left / 86400 : -((-left + 86399) / 86400);
	_info.sha256 = toHex(certificate.fingerprint("SHA256"));
	_info.verifyError = verificationProblem(certificate);
	_info.verified = _info.verifyError.empty();
}

std::string TlsChannel::verificationProblem(const Poco::Net::X509Certificate& certificate) const
{
	if (_fault) return describeFault();
	// What SecureStreamSocket::verifyPeerCertificate(host) checks, without its exemption of
	// loopback names (it checks those only in VERIFY_STRICT mode): "localhost" must match too.
	if (certificate.verify(_serverName)) return {};
	std::string names;
	for (const auto& name : _info.sans) names += (names.empty() ? "" : ", ") + name;
	if (names.empty()) names = certificate.commonName();
	return "host name mismatch: the certificate is for " + names + ", not for " + _serverName;
}

std::string TlsChannel::describeFault() const
{
	const auto& certificate = _fault->certificate;
	std::string subject = certificate.subjectName();
	std::string openssl = X509_verify_cert_error_string(_fault->code);
	if (_fault->depth > 0) subject = "CA " + subject;
	switch (_fault->code)
	{
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return "certificate has expired: " + subject + " was valid until " +
			formatUtc(unixTime(X509_get0_notAfter(certificate.certificate())));
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return "certificate is not yet valid: " + subject + " is valid from " +
			formatUtc(unixTime(X509_get0_notBefore(certificate.certificate())));
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		return "self-signed certificate: " + subject + " is signed by itself, not by a trusted CA";
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return "unknown CA: no trusted CA vouches for " + subject + ", issued by " + certificate.issuerName() +
			" (" + openssl + ")";
	default:
		return "certificate rejected: " + openssl + " (" + subject + ")";
	}
}

int TlsChannel::send(const char* data, int length)
{
	ERR_clear_error();
	return byName(_secure.sendBytes(data, length));
}

int TlsChannel::receive(char* buffer, int length)
{
	ERR_clear_error();
	return byName(_secure.receiveBytes(buffer, length));
}

bool TlsChannel::hasBufferedInput()
{
	return _secure.available() > 0;
}

void TlsChannel::shutdownSend()
{
	ignoringFailure([this] { _secure.shutdownSend(); });
	ignoringFailure([this] { _plain.shutdownSend(); });
}

void TlsChannel::close()
{
	ignoringFailure([this] { _secure.close(); });
}

} // namespace smtpx::net
