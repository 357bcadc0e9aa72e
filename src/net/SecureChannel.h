// SecureChannel: TLS on a connected, non-blocking TCP socket, as the event loop drives it: the
// handshake step by step, then the encrypted stream. The implementation lives in the TLS module
// (src/net/tls, loaded by TlsModule), so that only a session that starts TLS loads OpenSSL.
#pragma once

#include "net/TlsInfo.h"

#include <Poco/Net/StreamSocket.h>

#include <stdexcept>

namespace smtpx::net {

// The handshake failed; the message names the cause.
class TlsError : public std::runtime_error
{
public:
	using std::runtime_error::runtime_error;
};

class SecureChannel
{
public:
	enum class Step { Done, WantRead, WantWrite };

	// What send() and receive() return when TLS must first read, or write, the socket.
	static constexpr int kWantRead = -1;
	static constexpr int kWantWrite = -2;

	virtual ~SecureChannel() = default;

	// Takes the handshake as far as the socket allows. Throws TlsError when it fails. Once it is
	// Done, info() holds the facts, including whether the certificate passed verification.
	virtual Step advance() = 0;
	virtual const TlsInfo& info() const = 0;

	// The socket the loop watches (the same descriptor as the plain one).
	virtual const Poco::Net::StreamSocket& socket() const = 0;

	// Like StreamSocket::sendBytes/receiveBytes on a non-blocking socket: bytes moved, or
	// kWantRead/kWantWrite; receive returns 0 at the end of the stream. Throw Poco::Exception on
	// errors.
	virtual int send(const char* data, int length) = 0;
	virtual int receive(char* buffer, int length) = 0;
	// Unread plain text already decrypted (the socket need not become readable for it).
	virtual bool hasBufferedInput() = 0;

	// Sends close_notify and half-closes TCP.
	virtual void shutdownSend() = 0;
	virtual void close() = 0;
};

} // namespace smtpx::net
