#include "lua/Codec.h"

#include <catch2/catch.hpp>

#include <Poco/Net/MailMessage.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/StreamCopier.h>

#include <sstream>

using namespace smtpx::lua::codec;

namespace {

// Collects the decoded parts MailMessage::read finds, so a built message can be checked by
// reading it back the way a mail client would.
class PartCollector : public Poco::Net::PartHandler
{
public:
	struct Part
	{
		std::string contentType;
		std::string content;
	};

	void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override
	{
		Part part;
		part.contentType = header.get("Content-Type", "");
		Poco::StreamCopier::copyToString(stream, part.content);
		parts.push_back(std::move(part));
	}

	std::vector<Part> parts;
};

std::vector<PartCollector::Part> readBack(const std::string& message)
{
	std::istringstream in(message);
	Poco::Net::MailMessage mail;
	PartCollector collector;
	mail.read(in, collector);
	if (!mail.isMultipart()) collector.parts.push_back({mail.getContentType(), mail.getContent()});
	return collector.parts;
}

std::string headerBlock(const std::string& message)
{
	return message.substr(0, message.find("\r\n\r\n") + 2);
}

// The text of each encoded word of `words`, base64-decoded.
std::vector<std::string> decodeWords(const std::string& words)
{
	std::vector<std::string> texts;
	std::size_t pos = 0;
	while ((pos = words.find("=?UTF-8?B?", pos)) != std::string::npos)
	{
		std::size_t end = words.find("?=", pos + 10);
		texts.push_back(decodeBase64(words.substr(pos + 10, end - pos - 10)));
		pos = end + 2;
	}
	return texts;
}

} // namespace

TEST_CASE("base64 follows RFC 4648 on one line", "[codec]")
{
	CHECK(encodeBase64("") == "");
	CHECK(encodeBase64("f") == "Zg==");
	CHECK(encodeBase64("fo") == "Zm8=");
	CHECK(encodeBase64("foo") == "Zm9v");
	CHECK(encodeBase64("foobar") == "Zm9vYmFy");
	CHECK(encodeBase64(std::string("\0testuser\0testpass", 18)) == "AHRlc3R1c2VyAHRlc3RwYXNz");
	CHECK(encodeBase64(std::string(3000, 'x')).find_first_of("\r\n") == std::string::npos);
}

TEST_CASE("base64 decoding round-trips every byte and rejects garbage", "[codec]")
{
	std::string all;
	for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
	CHECK(decodeBase64(encodeBase64(all)) == all);
	CHECK(decodeBase64("VXNlcm5hbWU6") == "Username:");
	CHECK(decodeBase64("UGFzc3dvcmQ6") == "Password:");
	CHECK_THROWS_AS(decodeBase64("not base64!"), std::invalid_argument);
}

TEST_CASE("HMAC-MD5 matches RFC 2195 and RFC 2202", "[codec]")
{
	CHECK(hmacMd5Hex("tanstaaftanstaaf", "<1896.697170952@postoffice.reston.mci.net>") ==
		"b913a602c7eda7a495b4e6e7334d3890");
	CHECK(hmacMd5Hex(std::string(16, '\x0b'), "Hi There") == "9294727a3638bb1c13f48ef8158bfc9d");
	CHECK(hmacMd5Hex("Jefe", "what do ya want for nothing?") == "750c783e6ab0b503eaa86e310a5db738");
	// A key longer than the block is hashed first (RFC 2202 test case 6).
	CHECK(hmacMd5Hex(std::string(80, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First") ==
		"6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
}

TEST_CASE("RFC 2047 words: ASCII stays, the rest is split into whole characters", "[codec]")
{
	CHECK(encodeWords("Plain subject, with: punctuation") == "Plain subject, with: punctuation");
	CHECK(encodeWords("Gr\xc3\xbc\xc3\x9f" "e") == "=?UTF-8?B?R3LDvMOfZQ==?=");
	CHECK(encodeWords("bell\x07") == "=?UTF-8?B?YmVsbAc=?=");

	std::string text;
	for (int i = 0; i < 30; ++i) text += "\xf0\x9f\x93\xa7 mail ";  // a 4-byte character each time
	std::string words = encodeWords(text);
	std::string joined;
	std::size_t start = 0;
	while (start < words.size())
	{
		std::size_t end = words.find("\r\n ", start);
		if (end == std::string::npos) end = words.size();
		CHECK(end - start <= 75);
		start = end + 3;
	}
	for (const auto& piece : decodeWords(words))
	{
		// Each word starts on a character boundary: never a UTF-8 continuation byte.
		REQUIRE(!piece.empty());
		CHECK((static_cast<unsigned char>(piece.front()) & 0xC0) != 0x80);
		joined += piece;
	}
	CHECK(joined == text);
}

TEST_CASE("CRLF form turns every line end into CRLF", "[codec]")
{
	CHECK(toCrlf("a\nb\rc\r\nd") == "a\r\nb\r\nc\r\nd");
	CHECK(toCrlf("\r\r\n\n") == "\r\n\r\n\r\n");
	CHECK(toCrlf("") == "");
}

TEST_CASE("the text encoding is the lightest that keeps the text", "[codec]")
{
	CHECK(chooseTextEncoding("hello\r\nworld\r\n", false) == TransferEncoding::SevenBit);
	CHECK(chooseTextEncoding(std::string(998, 'x') + "\r\n", false) == TransferEncoding::SevenBit);
	CHECK(chooseTextEncoding(std::string(999, 'x') + "\r\n", true) == TransferEncoding::QuotedPrintable);
	CHECK(chooseTextEncoding("Gr\xc3\xbc\xc3\x9f" "e\r\n", false) == TransferEncoding::QuotedPrintable);
	CHECK(chooseTextEncoding("Gr\xc3\xbc\xc3\x9f" "e\r\n", true) == TransferEncoding::EightBit);
	CHECK(chooseTextEncoding(std::string("nul\0byte", 8), true) == TransferEncoding::QuotedPrintable);
}

TEST_CASE("a text message keeps the caller's headers first, in order", "[codec]")
{
	MessageSpec spec;
	spec.headers = {{"From", "a@example.com"}, {"To", "b@example.com"}, {"Subject", "hi"}};
	spec.text = "line one\nline two\n";
	std::string message = buildMessage(spec);
	CHECK(headerBlock(message) ==
		"From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\nMIME-Version: 1.0\r\n"
		"Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 7bit\r\n");
	CHECK(message.substr(message.find("\r\n\r\n") + 4) == "line one\r\nline two\r\n");
}

TEST_CASE("text parts decode to the CRLF form of the input", "[codec]")
{
	const std::string awkward[] = {
		"Gr\xc3\xbc\xc3\x9f" "e\n.\n..\n" + std::string(990, 'y') + "\nend with blanks \t ",
		"trailing space ",
		std::string(1200, '=') + "\r\ttab",
		std::string("nul\0inside\rcr\nlf", 17),
	};
	for (const auto& text : awkward)
	{
		for (const char* encoding : {"auto", "8bit", "quoted-printable", "base64"})
		{
			MessageSpec spec;
			spec.text = text;
			spec.encoding = encoding;
			auto parts = readBack(buildMessage(spec));
			REQUIRE(parts.size() == 1);
			CHECK(parts[0].content == toCrlf(text));
		}
	}
}

TEST_CASE("attachments and an HTML alternative make a multipart message", "[codec]")
{
	std::string binary;
	for (int i = 0; i < 5000; ++i) binary += static_cast<char>(i * 7);
	MessageSpec spec;
	spec.headers = {{"Subject", "parts"}};
	spec.text = "the text\n";
	spec.attachments.push_back({"", binary, "data.bin", "application/octet-stream"});
	std::string message = buildMessage(spec);
	CHECK(headerBlock(message).find("Content-Type: multipart/mixed; boundary=") != std::string::npos);
	auto parts = readBack(message);
	REQUIRE(parts.size() == 2);
	CHECK(parts[0].content == "the text\r\n");
	CHECK(parts[1].contentType == "application/octet-stream; name=data.bin");
	CHECK(parts[1].content == binary);

	MessageSpec alternative;
	alternative.text = "plain";
	alternative.html = "<p>rich</p>";
	auto both = readBack(buildMessage(alternative));
	REQUIRE(both.size() == 2);
	CHECK(both[0].contentType == "text/plain; charset=UTF-8");
	CHECK(both[1].contentType == "text/html; charset=UTF-8");
	CHECK(both[1].content == "<p>rich</p>");

	alternative.attachments.push_back({"", std::string("x"), "", ""});
	std::string nested = buildMessage(alternative);
	CHECK(nested.find("Content-Type: multipart/alternative; boundary=") != std::string::npos);
	CHECK(nested.find("Content-Disposition: attachment; filename=attachment") != std::string::npos);
}

TEST_CASE("a non-ASCII attachment name is encoded", "[codec]")
{
	MessageSpec spec;
	spec.attachments.push_back({"", std::string("x"), "r\xc3\xa9sum\xc3\xa9.txt", "text/plain"});
	std::string message = buildMessage(spec);
	CHECK(message.find("filename=\"=?UTF-8?B?csOpc3Vtw6kudHh0?=\"") != std::string::npos);
}

TEST_CASE("bad message specs are refused", "[codec]")
{
	MessageSpec badEncoding;
	badEncoding.text = "x";
	badEncoding.encoding = "rot13";
	CHECK_THROWS_AS(buildMessage(badEncoding), std::invalid_argument);

	MessageSpec missingFile;
	missingFile.attachments.push_back({"/nonexistent/smtpx-test-file", std::nullopt, "", ""});
	CHECK_THROWS_WITH(buildMessage(missingFile), Catch::Contains("/nonexistent/smtpx-test-file"));
}
