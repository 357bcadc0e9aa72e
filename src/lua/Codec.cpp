#include "lua/Codec.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>
#include <Poco/HMACEngine.h>
#include <Poco/MD5Engine.h>
#include <Poco/Net/FilePartSource.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/StringPartSource.h>
#include <Poco/Path.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace smtpx::lua::codec {

namespace {

using Poco::Net::MailMessage;

// RFC 2047 section 2: an encoded word is at most 75 characters.
constexpr std::size_t kMaxEncodedWord = 75;
// RFC 5322 section 2.1.1: at most 998 characters on a line, not counting the CRLF.
constexpr std::size_t kMaxLine = 998;

bool isPrintableAscii(std::string_view text)
{
	for (unsigned char c : text)
		if ((c < 0x20 && c != '\t') || c >= 0x7f) return false;
	return true;
}

// Bytes in the UTF-8 character starting at `pos` (1 for a byte that starts none).
std::size_t utf8Length(std::string_view text, std::size_t pos)
{
	auto lead = static_cast<unsigned char>(text[pos]);
	std::size_t length = 1;
	if ((lead & 0xE0) == 0xC0) length = 2;
	else if ((lead & 0xF0) == 0xE0) length = 3;
	else if ((lead & 0xF8) == 0xF0) length = 4;
	return std::min(length, text.size() - pos);
}

MailMessage::ContentTransferEncoding toPoco(TransferEncoding encoding)
{
	switch (encoding)
	{
	case TransferEncoding::SevenBit: return MailMessage::ENCODING_7BIT;
	case TransferEncoding::EightBit: return MailMessage::ENCODING_8BIT;
	case TransferEncoding::QuotedPrintable: return MailMessage::ENCODING_QUOTED_PRINTABLE;
	case TransferEncoding::Base64: return MailMessage::ENCODING_BASE64;
	}
	return MailMessage::ENCODING_BASE64;
}

TransferEncoding requestedEncoding(const std::string& option, std::string_view crlfText)
{
	if (option == "auto") return chooseTextEncoding(crlfText, false);
	if (option == "8bit") return chooseTextEncoding(crlfText, true);
	if (option == "quoted-printable") return TransferEncoding::QuotedPrintable;
	if (option == "base64") return TransferEncoding::Base64;
	throw std::invalid_argument("unknown body encoding '" + option + "' (auto, 8bit, quoted-printable or base64)");
}

TransferEncoding encodingFor(const std::string& option, std::string_view crlfText)
{
	TransferEncoding encoding = requestedEncoding(option, crlfText);
	// POCO's quoted-printable encoder holds back a space or tab until it sees the next byte, and
	// close() never writes it: whitespace at the very end would be lost. Base64 loses nothing.
	bool endsInBlank = !crlfText.empty() && (crlfText.back() == ' ' || crlfText.back() == '\t');
	if (encoding == TransferEncoding::QuotedPrintable && endsInBlank) return TransferEncoding::Base64;
	return encoding;
}

// One body part as MailMessage wants it: the CRLF text, its media type and its encoding.
struct TextPart
{
	std::string content;
	std::string mediaType;
	TransferEncoding encoding;
};

TextPart makeTextPart(const std::string& text, const char* subtype, const MessageSpec& spec)
{
	std::string content = toCrlf(text);
	TransferEncoding encoding = encodingFor(spec.encoding, content);
	return {std::move(content), std::string("text/") + subtype + "; charset=" + spec.charset, encoding};
}

std::vector<TextPart> textParts(const MessageSpec& spec)
{
	std::vector<TextPart> parts;
	if (spec.text) parts.push_back(makeTextPart(*spec.text, "plain", spec));
	if (spec.html) parts.push_back(makeTextPart(*spec.html, "html", spec));
	if (parts.empty()) parts.push_back(makeTextPart("", "plain", spec));
	return parts;
}

Poco::Net::PartSource* partSource(const TextPart& part)
{
	return new Poco::Net::StringPartSource(part.content, part.mediaType);
}

// multipart/alternative holding the text parts, least rich first (RFC 2046 section 5.1.4).
Poco::Net::PartSource* alternativeSource(const std::vector<TextPart>& parts)
{
	auto* source = new Poco::Net::MultipartSource("multipart/alternative");
	for (const auto& part : parts)
		source->addPart("", partSource(part), MailMessage::CONTENT_INLINE, toPoco(part.encoding));
	return source;
}

// A multipart holds encoded parts: it is 8bit if any of them is, else 7bit (RFC 2045 6.4).
TransferEncoding containerEncoding(const std::vector<TextPart>& parts)
{
	for (const auto& part : parts)
		if (part.encoding == TransferEncoding::EightBit) return TransferEncoding::EightBit;
	return TransferEncoding::SevenBit;
}

Poco::Net::PartSource* attachmentSource(const Attachment& attachment, const std::string& name)
{
	std::string type = attachment.contentType.empty() ? "application/octet-stream" : attachment.contentType;
	if (attachment.data) return new Poco::Net::StringPartSource(*attachment.data, type, name);
	std::error_code ec;
	if (!std::filesystem::is_regular_file(attachment.path, ec))
		throw std::invalid_argument("attachment " + attachment.path + " is not a readable file");
	return new Poco::Net::FilePartSource(attachment.path, name, type);
}

void addAttachment(MailMessage& message, const Attachment& attachment)
{
	std::string name = attachment.name;
	if (name.empty() && !attachment.data) name = Poco::Path(attachment.path).getFileName();
	if (name.empty()) name = "attachment";
	name = encodeWords(name);
	message.addAttachment(name, attachmentSource(attachment, name), MailMessage::ENCODING_BASE64);
}

void setBody(MailMessage& message, const std::vector<TextPart>& parts, bool mixed)
{
	if (parts.size() == 1 && !mixed)
	{
		message.setContentType(parts.front().mediaType);
		message.setContent(parts.front().content, toPoco(parts.front().encoding));
	}
	else if (!mixed)
	{
		message.setContentType("multipart/alternative");
		for (const auto& part : parts) message.addContent(partSource(part), toPoco(part.encoding));
	}
	else if (parts.size() == 1)
	{
		message.addContent(partSource(parts.front()), toPoco(parts.front().encoding));
	}
	else
	{
		message.addContent(alternativeSource(parts), toPoco(containerEncoding(parts)));
	}
}

} // namespace

std::string encodeBase64(std::string_view data)
{
	std::ostringstream out;
	Poco::Base64Encoder encoder(out);
	encoder.rdbuf()->setLineLength(0);
	encoder.write(data.data(), static_cast<std::streamsize>(data.size()));
	encoder.close();
	return out.str();
}

std::string decodeBase64(std::string_view text)
{
	std::istringstream in{std::string(text)};
	Poco::Base64Decoder decoder(in);
	std::string out;
	// istream::read turns the decoder's DataFormatException into badbit. Reading through
	// istreambuf_iterator instead let the exception leak the partly built string (LeakSanitizer,
	// found by fuzz_transcript_import, issue #7).
	char buffer[4096];
	while (decoder.read(buffer, sizeof buffer) || decoder.gcount() > 0)
		out.append(buffer, static_cast<std::size_t>(decoder.gcount()));
	if (decoder.bad()) throw std::invalid_argument("not valid base64: '" + std::string(text.substr(0, 40)) + "'");
	return out;
}

std::string hmacMd5Hex(std::string_view key, std::string_view data)
{
	Poco::HMACEngine<Poco::MD5Engine> hmac{std::string(key)};
	hmac.update(data.data(), static_cast<unsigned>(data.size()));
	return Poco::DigestEngine::digestToHex(hmac.digest());
}

std::string encodeWords(std::string_view text, std::string_view charset)
{
	if (isPrintableAscii(text)) return std::string(text);
	const std::size_t overhead = charset.size() + 7;  // "=?" charset "?B?" ... "?="
	if (overhead + 4 > kMaxEncodedWord) throw std::invalid_argument("charset name too long for an encoded word");
	const std::size_t budget = (kMaxEncodedWord - overhead) / 4 * 3;  // bytes whose base64 fits
	std::string out;
	std::size_t pos = 0;
	while (pos < text.size())
	{
		std::size_t end = pos;
		while (end < text.size() && end + utf8Length(text, end) - pos <= budget) end += utf8Length(text, end);
		if (!out.empty()) out += "\r\n ";
		out += "=?";
		out += charset;
		out += "?B?";
		out += encodeBase64(text.substr(pos, end - pos));
		out += "?=";
		pos = end;
	}
	return out;
}

std::string toCrlf(std::string_view text)
{
	std::string out;
	out.reserve(text.size() + text.size() / 32);
	for (std::size_t i = 0; i < text.size(); ++i)
	{
		char c = text[i];
		if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
		if (c == '\r' || c == '\n') out += "\r\n";
		else out += c;
	}
	return out;
}

TransferEncoding chooseTextEncoding(std::string_view crlfText, bool allow8bit)
{
	bool eightBit = false;
	std::size_t lineLength = 0;
	for (unsigned char c : crlfText)
	{
		if (c == '\r' || c == '\n')
		{
			lineLength = 0;
			continue;
		}
		if (c == 0 || ++lineLength > kMaxLine) return TransferEncoding::QuotedPrintable;
		if (c >= 0x80) eightBit = true;
	}
	if (!eightBit) return TransferEncoding::SevenBit;
	return allow8bit ? TransferEncoding::EightBit : TransferEncoding::QuotedPrintable;
}

std::string buildMessage(const MessageSpec& spec)
{
	MailMessage message;
	// The constructor sets Date and Content-Type; the caller's headers come first, in its order.
	message.clear();
	for (const auto& [name, value] : spec.headers) message.add(name, value);
	message.set("MIME-Version", "1.0");
	bool mixed = !spec.attachments.empty();
	setBody(message, textParts(spec), mixed);
	for (const auto& attachment : spec.attachments) addAttachment(message, attachment);
	std::ostringstream out;
	message.write(out);
	return out.str();
}

} // namespace smtpx::lua::codec
