// TLS in net::Connection against an in-process OpenSSL server on loopback: STARTTLS in place and
// implicit TLS, the facts of the handshake, each certificate fault, and an event loop that keeps
// running while a handshake waits. The certificates are made here with OpenSSL, so no files
// from elsewhere are needed.
#include "net/Connection.h"
#include "net/EventLoop.h"
#include "net/TlsModule.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <catch2/catch.hpp>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

using smtpx::net::Connection;
using smtpx::net::EventLoop;
using smtpx::net::TlsModule;
using smtpx::net::TlsOptions;
using namespace std::chrono_literals;

namespace {

constexpr long kDay = 24 * 3600;

struct KeyFree { void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); } };
struct CertFree { void operator()(X509* cert) const { X509_free(cert); } };
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

struct Identity
{
	Key key;
	Cert cert;
};

void addExtension(X509* cert, X509* issuer, int nid, const char* value)
{
	X509V3_CTX context;
	X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
	X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
	REQUIRE(extension);
	X509_add_ext(cert, extension, -1);
	X509_EXTENSION_free(extension);
}

// A certificate for `commonName`, valid from `from` to `to` seconds from now, signed by `issuer`
// (itself when null).
Identity makeIdentity(const std::string& commonName, const char* altNames, long from, long to, const Identity* issuer)
{
	static long serial = 1;
	Identity made{Key(EVP_EC_gen("P-256")), Cert(X509_new())};
	X509* cert = made.cert.get();
	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
	X509_gmtime_adj(X509_getm_notBefore(cert), from);
	X509_gmtime_adj(X509_getm_notAfter(cert), to);
	X509_set_pubkey(cert, made.key.get());
	X509_NAME* name = X509_get_subject_name(cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0);
	X509* issuerCert = issuer ? issuer->cert.get() : cert;
	X509_set_issuer_name(cert, X509_get_subject_name(issuerCert));
	if (altNames)
	{
		addExtension(cert, issuerCert, NID_basic_constraints, "CA:FALSE");
		addExtension(cert, issuerCert, NID_subject_alt_name, altNames);
	}
	else
	{
		addExtension(cert, issuerCert, NID_basic_constraints, "critical,CA:TRUE");
		addExtension(cert, issuerCert, NID_key_usage, "critical,keyCertSign");
	}
	X509_sign(cert, issuer ? issuer->key.get() : made.key.get(), EVP_sha256());
	return made;
}

std::string sha256Of(X509* cert)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int length = 0;
	X509_digest(cert, EVP_sha256(), digest, &length);
	std::string hex;
	char byte[3];
	for (unsigned int i = 0; i < length; ++i)
	{
		std::snprintf(byte, sizeof byte, "%02x", digest[i]);
		hex += byte;
	}
	return hex;
}

// The test CA and the server certificates, made once; the CA is also written to a PEM file for
// TlsOptions::caFile.
struct Pki
{
	Identity ca = makeIdentity("unit test CA", nullptr, -kDay, 30 * kDay, nullptr);
	Identity good = makeIdentity("localhost", "DNS:localhost,IP:127.0.0.1", -kDay, 30 * kDay, &ca);
	Identity expired = makeIdentity("localhost", "DNS:localhost,IP:127.0.0.1", -30 * kDay, -kDay, &ca);
	Identity wrongName = makeIdentity("wrong.example", "DNS:wrong.example", -kDay, 30 * kDay, &ca);
	Identity selfSigned = makeIdentity("localhost", nullptr, -kDay, 30 * kDay, nullptr);
	std::string caFile;

	Pki()
	{
		caFile = (std::filesystem::temp_directory_path() / ("smtpx-unit-ca-" + std::to_string(::getpid()) + ".pem")).string();
		FILE* out = std::fopen(caFile.c_str(), "w");
		REQUIRE(out);
		PEM_write_X509(out, ca.cert.get());
		std::fclose(out);
	}
	~Pki() { std::remove(caFile.c_str()); }

	static Pki& instance()
	{
		static Pki pki;
		return pki;
	}
};

// A one-connection server on 127.0.0.1 in its own thread, blocking: optionally a plain "220 go"
// first (STARTTLS), then after `delay` a TLS handshake with `identity`, then "250 inside" over TLS
// and a read of the client's line before it closes.
class TlsServer
{
public:
	TlsServer(const Identity& identity, bool plainBanner, std::chrono::milliseconds delay = 0ms, bool speakTls = true):
		_listener(Poco::Net::SocketAddress("127.0.0.1", 0))
	{
		// The server writes to clients that hung up on a bad certificate (smtpx's main does the same).
		std::signal(SIGPIPE, SIG_IGN);
		_thread = std::thread([this, &identity, plainBanner, delay, speakTls] { serve(identity, plainBanner, delay, speakTls); });
	}
	~TlsServer() { _thread.join(); }

	std::vector<Poco::Net::SocketAddress> address() const { return {_listener.address()}; }
	const std::string& clientLine() const { return _clientLine; }

private:
	void serve(const Identity& identity, bool plainBanner, std::chrono::milliseconds delay, bool speakTls)
	{
		Poco::Net::StreamSocket client = _listener.acceptConnection();
		client.setReceiveTimeout(Poco::Timespan(10, 0));
		if (plainBanner) client.sendBytes("220 go\r\n", 8);
		if (!speakTls)
		{
			char buffer[64];
			client.receiveBytes(buffer, sizeof buffer);  // the client hello, answered in plain text
			client.sendBytes("500 what?\r\n", 11);
			return;
		}
		std::this_thread::sleep_for(delay);
		SSL_CTX* context = SSL_CTX_new(TLS_server_method());
		SSL_CTX_use_certificate(context, identity.cert.get());
		SSL_CTX_use_PrivateKey(context, identity.key.get());
		SSL* ssl = SSL_new(context);
		SSL_set_fd(ssl, static_cast<int>(client.impl()->sockfd()));
		if (SSL_accept(ssl) == 1)
		{
			SSL_write(ssl, "250 inside\r\n", 12);
			char buffer[256];
			int n = SSL_read(ssl, buffer, sizeof buffer);
			if (n > 0) _clientLine.assign(buffer, static_cast<std::size_t>(n));
			SSL_shutdown(ssl);
		}
		SSL_free(ssl);
		SSL_CTX_free(context);
		ERR_clear_error();
	}

	Poco::Net::ServerSocket _listener;
	std::string _clientLine;
	std::thread _thread;
};

// Drives a Connection like a session would: STARTTLS after "220 go" (unless implicit), then
// "QUIT" once "250 inside" arrived over TLS. Records what happened.
class Client : public Connection::Listener
{
public:
	explicit Client(TlsOptions options, EventLoop::Clock::duration handshakeTimeout = 5s):
		_options(std::move(options)), _handshakeTimeout(handshakeTimeout), _connection(_loop, *this) {}

	void runStartTls(const std::vector<Poco::Net::SocketAddress>& address)
	{
		_connection.connect(address, 5s);
		run();
	}

	void runImplicit(const std::vector<Poco::Net::SocketAddress>& address)
	{
		_connection.connectTls(address, _handshakeTimeout, _options);
		run();
	}

	// Counts timer ticks on the loop every 20 ms until TLS is up: proof the loop did not block.
	void tickDuringHandshake() { tick(); }

	std::string events;
	std::string received;
	int ticksBeforeTls = 0;
	Connection& connection() { return _connection; }

private:
	void run()
	{
		_guard = _loop.startTimer(15s, [this] { _connection.close(); events += "guard;"; });
		_loop.run();
	}

	void finish()
	{
		_loop.cancelTimer(_guard);
		_loop.cancelTimer(_ticker);
		_ticking = false;
	}

	void tick()
	{
		_ticking = true;
		_ticker = _loop.startTimer(20ms, [this] {
			if (!_ticking) return;
			++ticksBeforeTls;
			tick();
		});
	}

	void onConnected() override
	{
		events += _connection.tlsInfo() ? "connected+tls;" : "connected;";
		if (_connection.tlsInfo()) _ticking = false;
	}

	void onConnectFailed(const std::string& reason) override
	{
		events += "connect failed: " + reason + ";";
		finish();
	}

	void onBytes(std::string_view bytes) override
	{
		received += bytes;
		if (received == "220 go\r\n")
		{
			received.clear();
			_connection.startTls(_options, _handshakeTimeout);
		}
		else if (received == "250 inside\r\n")
		{
			_connection.write("QUIT\r\n");
		}
	}

	void onClosed(const std::string& reason) override
	{
		events += "closed: " + reason + ";";
		finish();
	}

	void onTlsEstablished() override
	{
		events += "tls;";
		_ticking = false;
	}

	void onTlsFailed(const std::string& reason) override
	{
		events += "tls failed: " + reason + ";";
		finish();
	}

	TlsOptions _options;
	EventLoop::Clock::duration _handshakeTimeout;
	EventLoop _loop;
	Connection _connection;
	EventLoop::TimerId _guard = 0;
	EventLoop::TimerId _ticker = 0;
	bool _ticking = false;
};

TlsOptions trustingTestCa(const std::string& serverName = "localhost")
{
	TlsOptions options;
	options.caFile = Pki::instance().caFile;
	options.serverName = serverName;
	return options;
}

} // namespace

TEST_CASE("STARTTLS upgrades the connection in place and reports the certificate", "[tls]")
{
	Pki& pki = Pki::instance();
	TlsServer server(pki.good, true);
	Client client(trustingTestCa());
	client.runStartTls(server.address());
	const auto* info = client.connection().tlsInfo();
	CHECK(client.events == "connected;tls;closed: connection closed by server;");
	REQUIRE(info);
	CHECK(info->verified);
	CHECK(info->verifyError.empty());
	CHECK(info->version.rfind("TLSv1.", 0) == 0);
	CHECK_FALSE(info->cipher.empty());
	CHECK(info->subject == "CN=localhost");
	CHECK(info->issuer == "CN=unit test CA");
	CHECK(info->sans == std::vector<std::string>{"localhost", "127.0.0.1"});
	CHECK(info->sha256 == sha256Of(pki.good.cert.get()));
	CHECK((info->daysLeft == 29 || info->daysLeft == 30));
	CHECK(std::abs(info->notAfter - info->notBefore - 31 * kDay) <= 1);
	CHECK(server.clientLine() == "QUIT\r\n");
}

TEST_CASE("a host name is checked against IP addresses in the certificate", "[tls]")
{
	TlsServer server(Pki::instance().good, true);
	Client client(trustingTestCa("127.0.0.1"));
	client.runStartTls(server.address());
	CHECK(client.events == "connected;tls;closed: connection closed by server;");
}

TEST_CASE("implicit TLS completes the handshake before onConnected", "[tls]")
{
	TlsServer server(Pki::instance().good, false);
	Client client(trustingTestCa());
	client.runImplicit(server.address());
	CHECK(client.events == "connected+tls;closed: connection closed by server;");
	CHECK(server.clientLine() == "QUIT\r\n");
}

TEST_CASE("the event loop keeps running while a handshake waits for the server", "[tls]")
{
	TlsServer server(Pki::instance().good, false, 300ms);
	Client client(trustingTestCa());
	client.tickDuringHandshake();
	client.runImplicit(server.address());
	CHECK(client.events == "connected+tls;closed: connection closed by server;");
	CHECK(client.ticksBeforeTls >= 5);
}

TEST_CASE("a server that never answers the handshake times out", "[tls]")
{
	TlsServer server(Pki::instance().good, true, 1500ms);
	Client client(trustingTestCa(), 300ms);
	client.runStartTls(server.address());
	CHECK(client.events == "connected;tls failed: TLS handshake timed out after 0.3 s;");
}

TEST_CASE("certificate faults fail the handshake with their cause", "[tls]")
{
	Pki& pki = Pki::instance();
	struct Case
	{
		const Identity* identity;
		std::string expected;
	};
	for (const Case& fault : {Case{&pki.expired, "tls failed: TLS: certificate has expired: CN=localhost was valid until "},
		Case{&pki.wrongName, "tls failed: TLS: host name mismatch: the certificate is for wrong.example, not for localhost;"},
		Case{&pki.selfSigned, "tls failed: TLS: self-signed certificate: CN=localhost is signed by itself"}})
	{
		TlsServer server(*fault.identity, true);
		Client client(trustingTestCa());
		client.runStartTls(server.address());
		INFO(client.events);
		CHECK(client.events.rfind("connected;" + fault.expected, 0) == 0);
		CHECK_FALSE(client.connection().tlsInfo());
	}
}

TEST_CASE("a certificate from a CA nobody trusts is an unknown CA", "[tls]")
{
	TlsServer server(Pki::instance().good, false);
	TlsOptions options;
	options.caDir = std::filesystem::temp_directory_path().string();  // no CA of ours in there
	options.serverName = "localhost";
	Client client(options);
	client.runImplicit(server.address());
	CHECK(client.events.rfind("tls failed: TLS: unknown CA: no trusted CA vouches for CN=localhost", 0) == 0);
}

TEST_CASE("insecure goes on with a bad certificate but still reports what is wrong", "[tls]")
{
	TlsServer server(Pki::instance().selfSigned, true);
	TlsOptions options = trustingTestCa();
	options.insecure = true;
	Client client(options);
	client.runStartTls(server.address());
	CHECK(client.events == "connected;tls;closed: connection closed by server;");
	const auto* info = client.connection().tlsInfo();
	REQUIRE(info);
	CHECK_FALSE(info->verified);
	CHECK(info->verifyError.rfind("self-signed certificate", 0) == 0);
}

TEST_CASE("a server that answers TLS in plain text fails the handshake", "[tls]")
{
	TlsServer server(Pki::instance().good, false, 0ms, false);
	Client client(trustingTestCa());
	client.runImplicit(server.address());
	CHECK(client.events.rfind("tls failed: TLS handshake failed: ", 0) == 0);
}

TEST_CASE("startTls needs an open plain connection", "[tls]")
{
	EventLoop loop;
	struct Quiet : Connection::Listener
	{
		void onConnected() override {}
		void onConnectFailed(const std::string&) override {}
		void onBytes(std::string_view) override {}
		void onClosed(const std::string&) override {}
	} listener;
	Connection connection(loop, listener);
	CHECK_THROWS_AS(connection.startTls(trustingTestCa(), 1s), std::logic_error);
}

TEST_CASE("TLS contexts are shared per options and bad options are named", "[tls]")
{
	TlsOptions options = trustingTestCa();
	CHECK(TlsModule::provider().context(options) == TlsModule::provider().context(options));
	options.serverName = "other.example";  // not part of the context
	options.insecure = true;
	CHECK(TlsModule::provider().context(options) == TlsModule::provider().context(trustingTestCa()));

	TlsOptions bad = trustingTestCa();
	bad.minVersion = "1.1";
	CHECK_THROWS_WITH(TlsModule::provider().context(bad), Catch::Contains("1.2 or 1.3"));
	bad = trustingTestCa();
	bad.ciphers = "NO-SUCH-CIPHER";
	CHECK_THROWS_WITH(TlsModule::provider().context(bad), Catch::Contains("no usable cipher in 'NO-SUCH-CIPHER'"));
	bad = trustingTestCa();
	bad.ciphers = "TLS_NO_SUCH_SUITE";
	CHECK_THROWS_WITH(TlsModule::provider().context(bad), Catch::Contains("no usable TLS 1.3 cipher suite"));
	bad = trustingTestCa();
	bad.caFile = "/nonexistent/ca.pem";
	CHECK_THROWS_WITH(TlsModule::provider().context(bad), Catch::Contains("cannot load CA certificates from /nonexistent/ca.pem"));
	bad = trustingTestCa();
	bad.keyFile = Pki::instance().caFile;
	CHECK_THROWS_WITH(TlsModule::provider().context(bad), Catch::Contains("needs its certificate"));
}
