// Codec: the encodings the Lua standard library needs, done by POCO: base64 (AUTH payloads),
// HMAC-MD5 (CRAM-MD5), RFC 2047 encoded words (non-ASCII headers), the CRLF canonical form and
// whole MIME messages (Poco::Net::MailMessage). Pure functions; CodecLibrary.cpp binds them to Lua.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace smtpx::lua::codec {

// Base64 on one line (SMTP AUTH payloads must not hold line breaks).
std::string encodeBase64(std::string_view data);

// Throws std::invalid_argument when `text` is not base64.
std::string decodeBase64(std::string_view text);

// HMAC-MD5 of `data` keyed with `key`, as 32 lower-case hex digits (RFC 2104, RFC 2195).
std::string hmacMd5Hex(std::string_view key, std::string_view data);

// `text` unchanged when it is printable ASCII; otherwise RFC 2047 "B" encoded words of at most
// 75 characters, each holding whole UTF-8 characters, separated by CRLF SPACE (a header fold).
std::string encodeWords(std::string_view text, std::string_view charset = "UTF-8");

// Every line end form (CRLF, bare LF, bare CR) as CRLF.
std::string toCrlf(std::string_view text);

enum class TransferEncoding
{
	SevenBit,
	EightBit,
	QuotedPrintable,
	Base64
};

// The lightest Content-Transfer-Encoding that carries CRLF text unchanged: 7bit for short-lined
// ASCII, 8bit for short-lined 8-bit text when the server takes it (`allow8bit`), else
// quoted-printable. Lines longer than 998 bytes or a NUL rule out 7bit and 8bit (RFC 5322, 2045).
TransferEncoding chooseTextEncoding(std::string_view crlfText, bool allow8bit);

struct Attachment
{
	std::string path;                 // read from this file, unless `data` is set
	std::optional<std::string> data;  // the content itself
	std::string name;                 // file name shown to the recipient (default: from path)
	std::string contentType;          // default: application/octet-stream
};

struct MessageSpec
{
	std::vector<std::pair<std::string, std::string>> headers;  // written first, in this order
	std::optional<std::string> text;   // text/plain body
	std::optional<std::string> html;   // text/html body; with `text`, multipart/alternative
	std::string charset = "UTF-8";
	// "auto" (7bit or quoted-printable), "8bit" (8bit allowed), "quoted-printable", "base64"
	std::string encoding = "auto";
	std::vector<Attachment> attachments;  // with any, the message is multipart/mixed
};

// The whole message (headers, blank line, body) with CRLF line ends, not dot-stuffed. Text parts
// are put in CRLF canonical form first, so decoding a part gives toCrlf(input) back.
// Throws std::invalid_argument for a bad encoding name or an attachment that cannot be read.
std::string buildMessage(const MessageSpec& spec);

} // namespace smtpx::lua::codec
