// TlsChannel: TLS on a connected, non-blocking TCP socket (after STARTTLS, or at once for
// implicit TLS): the handshake, advanced step by step from the event loop, then the encrypted
// stream and what the handshake established about the server.
#pragma once

#include "net/SecureChannel.h"

#include <Poco/Crypto/X509Certificate.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/SecureStreamSocket.h>

#include <optional>
#include <string>

namespace smtpx::net {

class TlsChannel : public SecureChannel
{
public:
	// Puts TLS on `plain`, which must be non-blocking. `serverName` is sent as SNI (unless it is an
	// IP address, which SNI must not carry) and the certificate is checked against it.
	TlsChannel(const Poco::Net::StreamSocket& plain, Poco::Net::Context::Ptr context, std::string serverName);
	TlsChannel(const TlsChannel&) = delete;
	TlsChannel& operator=(const TlsChannel&) = delete;

	Step advance() override;
	const TlsInfo& info() const override { return _info; }
	const Poco::Net::StreamSocket& socket() const override { return _secure; }
	int send(const char* data, int length) override;
	int receive(char* buffer, int length) override;
	bool hasBufferedInput() override;
	void shutdownSend() override;
	void close() override;

	// Lets every channel see the handshakes made with this context: which SSL object is its own
	// and each certificate fault (the handshake goes on; advance() judges at the end).
	static void observe(SSL_CTX* context);

private:
	struct Fault
	{
		int code;
		int depth;
		Poco::Crypto::X509Certificate certificate;
	};

	static void onInfo(const SSL* ssl, int where, int ret);
	static int onVerify(int ok, X509_STORE_CTX* store);

	void inspect();
	std::string verificationProblem(const Poco::Net::X509Certificate& certificate) const;
	std::string describeFault() const;

	Poco::Net::StreamSocket _plain;
	Poco::Net::SecureStreamSocket _secure;
	std::string _serverName;
	SSL* _ssl = nullptr;
	std::optional<Fault> _fault;  // the first one: later ones usually follow from it
	TlsInfo _info;
};

} // namespace smtpx::net
