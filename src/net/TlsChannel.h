// TlsChannel: TLS on a connected, non-blocking TCP socket (after STARTTLS, or at once for
// implicit TLS): the handshake, advanced step by step from the event loop, then the encrypted
// stream and what the handshake established about the server.
#pragma once

#include "net/TlsInfo.h"

#include <Poco/Crypto/X509Certificate.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/SecureStreamSocket.h>

#include <optional>
#include <stdexcept>
#include <string>

namespace smtpx::net {

// The handshake failed; the message names the cause.
class TlsError : public std::runtime_error
{
public:
	using std::runtime_error::runtime_error;
};

class TlsChannel
{
public:
	enum class Step { Done, WantRead, WantWrite };

	// Puts TLS on `plain`, which must be non-blocking. `serverName` is sent as SNI (unless it is an
	// IP address, which SNI must not carry) and the certificate is checked against it.
	TlsChannel(const Poco::Net::StreamSocket& plain, Poco::Net::Context::Ptr context, std::string serverName);
	TlsChannel(const TlsChannel&) = delete;
	TlsChannel& operator=(const TlsChannel&) = delete;

	// Takes the handshake as far as the socket allows. Throws TlsError when it fails. Once it is
	// Done, info() holds the facts, including whether the certificate passed verification.
	Step advance();
	const TlsInfo& info() const { return _info; }

	// The socket the loop watches (the same descriptor as the plain one).
	const Poco::Net::StreamSocket& socket() const { return _secure; }

	// Like StreamSocket::sendBytes/receiveBytes on a non-blocking socket: bytes moved, or
	// SecureStreamSocket::ERR_SSL_WANT_READ/ERR_SSL_WANT_WRITE when TLS must first read or write
	// the socket; receive returns 0 at the end of the stream. Throw Poco::Exception on errors.
	int send(const char* data, int length);
	int receive(char* buffer, int length);
	// Unread plain text already decrypted (the socket need not become readable for it).
	bool hasBufferedInput();

	// Sends close_notify and half-closes TCP.
	void shutdownSend();
	void close();

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
