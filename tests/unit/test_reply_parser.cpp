#include "net/LineReader.h"
#include "smtp/ReplyParser.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using smtpx::net::LineReader;
using smtpx::smtp::ProtocolError;
using smtpx::smtp::Reply;
using smtpx::smtp::ReplyParser;
using smtpx::smtp::splitEnhancedCode;

namespace {

const std::string kPostfixEhlo =
	"250-mail.example.org\r\n"
	"250-PIPELINING\r\n"
	"250-SIZE 10240000\r\n"
	"250-VRFY\r\n"
	"250-ETRN\r\n"
	"250-STARTTLS\r\n"
	"250-ENHANCEDSTATUSCODES\r\n"
	"250-8BITMIME\r\n"
	"250-DSN\r\n"
	"250-SMTPUTF8\r\n"
	"250 CHUNKING\r\n";

// Feeds every line of `wire` through a LineReader in chunks of `chunk` bytes and a parser.
std::vector<Reply> parseWire(const std::string& wire, std::size_t chunk)
{
	LineReader reader;
	ReplyParser parser;
	std::vector<Reply> replies;
	std::string line;
	bool bareLf = false;
	for (std::size_t pos = 0; pos < wire.size(); pos += chunk)
	{
		reader.append(std::string_view(wire).substr(pos, chunk));
		while (reader.nextLine(line, bareLf))
		{
			if (auto reply = parser.feed(line))
				replies.push_back(std::move(*reply));
		}
	}
	return replies;
}

std::string errorOf(ReplyParser& parser, std::string_view line)
{
	try
	{
		parser.feed(line);
	}
	catch (const ProtocolError& e)
	{
		return e.what();
	}
	return "(no error)";
}

} // namespace

TEST_CASE("single-line reply", "[reply]")
{
	ReplyParser parser;
	auto reply = parser.feed("220 mail.example.org ESMTP Postfix");
	REQUIRE(reply);
	CHECK(reply->code == 220);
	CHECK(reply->codeClass() == 2);
	CHECK(reply->enhanced.empty());
	CHECK(reply->lines == std::vector<std::string>{"220 mail.example.org ESMTP Postfix"});
	CHECK(reply->texts == std::vector<std::string>{"mail.example.org ESMTP Postfix"});
	CHECK(reply->text() == "mail.example.org ESMTP Postfix");
	CHECK_FALSE(parser.inReply());
}

TEST_CASE("a line with only the code ends the reply with empty text", "[reply]")
{
	ReplyParser parser;
	auto reply = parser.feed("250");
	REQUIRE(reply);
	CHECK(reply->code == 250);
	CHECK(reply->texts == std::vector<std::string>{""});
}

TEST_CASE("text after the separator is kept verbatim", "[reply]")
{
	ReplyParser parser;
	auto reply = parser.feed("250  two spaces\tand tab ");
	REQUIRE(reply);
	CHECK(reply->text() == " two spaces\tand tab ");
	reply = parser.feed("250 with\rCR inside");
	REQUIRE(reply);
	CHECK(reply->text() == "with\rCR inside");
}

TEST_CASE("multi-line Postfix EHLO reply", "[reply]")
{
	ReplyParser parser;
	std::vector<std::string> lines;
	LineReader reader;
	reader.append(kPostfixEhlo);
	std::string line;
	bool bareLf = true;
	std::optional<Reply> reply;
	while (reader.nextLine(line, bareLf))
	{
		CHECK_FALSE(bareLf);
		CHECK_FALSE(reply);
		reply = parser.feed(line);
		CHECK(parser.inReply() == !reply.has_value());
	}
	REQUIRE(reply);
	CHECK(reply->code == 250);
	CHECK(reply->enhanced.empty());
	REQUIRE(reply->lines.size() == 11);
	CHECK(reply->lines[1] == "250-PIPELINING");
	CHECK(reply->texts[7] == "8BITMIME");
	CHECK(reply->text() ==
		"mail.example.org\nPIPELINING\nSIZE 10240000\nVRFY\nETRN\nSTARTTLS\nENHANCEDSTATUSCODES\n"
		"8BITMIME\nDSN\nSMTPUTF8\nCHUNKING");
}

TEST_CASE("continuation lines may be empty", "[reply]")
{
	ReplyParser parser;
	CHECK_FALSE(parser.feed("220-"));
	CHECK_FALSE(parser.feed("220-welcome"));
	auto reply = parser.feed("220 ready");
	REQUIRE(reply);
	CHECK(reply->text() == "\nwelcome\nready");
}

TEST_CASE("replies split across reads at every point parse the same", "[reply]")
{
	const std::string wire = "220 hi\r\n" + kPostfixEhlo + "250-2.1.0 Ok\r\n250 2.1.0 still ok\r\n354 go\r\n";
	const std::vector<Reply> whole = parseWire(wire, wire.size());
	REQUIRE(whole.size() == 4);
	CHECK(whole[2].enhanced == "2.1.0");
	CHECK(whole[2].text() == "Ok\nstill ok");

	SECTION("byte by byte")
	{
		const std::vector<Reply> split = parseWire(wire, 1);
		REQUIRE(split.size() == whole.size());
		for (std::size_t i = 0; i < split.size(); ++i)
			CHECK(split[i].lines == whole[i].lines);
	}
	SECTION("in two parts, split at every byte")
	{
		for (std::size_t cut = 1; cut < wire.size(); ++cut)
		{
			LineReader reader;
			ReplyParser parser;
			std::vector<Reply> replies;
			std::string line;
			bool bareLf = false;
			for (std::string_view part : {std::string_view(wire).substr(0, cut), std::string_view(wire).substr(cut)})
			{
				reader.append(part);
				while (reader.nextLine(line, bareLf))
				{
					if (auto reply = parser.feed(line))
						replies.push_back(std::move(*reply));
				}
			}
			REQUIRE(replies.size() == whole.size());
			for (std::size_t i = 0; i < replies.size(); ++i)
				CHECK(replies[i].lines == whole[i].lines);
		}
	}
}

TEST_CASE("lines without a 3-digit code are rejected", "[reply][error]")
{
	ReplyParser parser;
	CHECK(errorOf(parser, "hello there") == "malformed reply line (no 3-digit code): \"hello there\"");
	CHECK(errorOf(parser, "") == "malformed reply line (no 3-digit code): \"\"");
	CHECK(errorOf(parser, "25 ok") == "malformed reply line (no 3-digit code): \"25 ok\"");
	CHECK(errorOf(parser, "25") == "malformed reply line (no 3-digit code): \"25\"");
	CHECK(errorOf(parser, "2a0 ok") == "malformed reply line (no 3-digit code): \"2a0 ok\"");
	CHECK(errorOf(parser, " 250 ok") == "malformed reply line (no 3-digit code): \" 250 ok\"");
}

TEST_CASE("4-digit codes and bad separators are rejected", "[reply][error]")
{
	ReplyParser parser;
	CHECK(errorOf(parser, "2500 ok") == "malformed reply line (code longer than 3 digits): \"2500 ok\"");
	CHECK(errorOf(parser, "250:ok") == "malformed reply line (no '-' or ' ' after the code): \"250:ok\"");
	CHECK(errorOf(parser, "250\tok") == "malformed reply line (no '-' or ' ' after the code): \"250\\x09ok\"");
}

TEST_CASE("codes outside 100-599 are rejected", "[reply][error]")
{
	ReplyParser parser;
	CHECK(errorOf(parser, "099 x") == "malformed reply line (code outside 100-599): \"099 x\"");
	CHECK(errorOf(parser, "000") == "malformed reply line (code outside 100-599): \"000\"");
	CHECK(errorOf(parser, "600 x") == "malformed reply line (code outside 100-599): \"600 x\"");
	CHECK(errorOf(parser, "999-x") == "malformed reply line (code outside 100-599): \"999-x\"");
	CHECK(parser.feed("100 x")->code == 100);
	CHECK(parser.feed("599 x")->code == 599);
}

TEST_CASE("a code change inside a multi-line reply is rejected", "[reply][error]")
{
	ReplyParser parser;
	CHECK_FALSE(parser.feed("250-first"));
	CHECK(errorOf(parser, "251 x") == "reply code changed from 250 to 251 inside a multi-line reply: \"251 x\"");
	CHECK_FALSE(parser.inReply());
}

TEST_CASE("the parser is usable after an error", "[reply][error]")
{
	ReplyParser parser;
	CHECK_FALSE(parser.feed("250-first"));
	CHECK_THROWS_AS(parser.feed("garbage"), ProtocolError);
	CHECK_FALSE(parser.inReply());
	auto reply = parser.feed("251 fresh");
	REQUIRE(reply);
	CHECK(reply->code == 251);
	CHECK(reply->lines == std::vector<std::string>{"251 fresh"});
}

TEST_CASE("quoted lines in errors are escaped and bounded", "[reply][error]")
{
	ReplyParser parser;
	SECTION("non-printables, quotes and backslashes are escaped")
	{
		const std::string line("\x01\x7f\xff\"\\\0x", 7);
		CHECK(errorOf(parser, line) == "malformed reply line (no 3-digit code): \"\\x01\\x7F\\xFF\\\"\\\\\\x00x\"");
	}
	SECTION("a huge line is truncated")
	{
		const std::string line(100000, 'A');
		const std::string error = errorOf(parser, line);
		CHECK(error.size() < 300);
		CHECK(error == "malformed reply line (no 3-digit code): \"" + std::string(200, 'A') + "\"... (100000 bytes)");
	}
	SECTION("a binary line stays short")
	{
		const std::string line(5000, '\x80');
		CHECK(errorOf(parser, line).size() < 900);
	}
}

TEST_CASE("replies over the line bound are rejected", "[reply][bounds]")
{
	ReplyParser parser(3, 1000);
	CHECK_FALSE(parser.feed("250-a"));
	CHECK_FALSE(parser.feed("250-b"));
	CHECK_FALSE(parser.feed("250-c"));
	CHECK(errorOf(parser, "250 d") == "reply has more than 3 lines: \"250 d\"");
	CHECK_FALSE(parser.inReply());
	CHECK_FALSE(parser.feed("250-a"));
	CHECK_FALSE(parser.feed("250-b"));
	CHECK(parser.feed("250 c"));
}

TEST_CASE("replies over the byte bound are rejected", "[reply][bounds]")
{
	ReplyParser parser(100, 20);
	CHECK_FALSE(parser.feed("250-12345"));  // 9 bytes
	CHECK_FALSE(parser.feed("250-1234"));   // 17
	CHECK(errorOf(parser, "250 a") == "reply has more than 20 bytes: \"250 a\"");
	CHECK_FALSE(parser.inReply());
	CHECK_FALSE(parser.feed("250-12345"));
	CHECK_FALSE(parser.feed("250-1234"));
	CHECK(parser.feed("250"));  // exactly 20 bytes
	CHECK_THROWS_AS(parser.feed("250 " + std::string(17, 'x')), ProtocolError);
}

TEST_CASE("enhanced status codes are split from the text", "[reply][enhanced]")
{
	ReplyParser parser;
	SECTION("present on a single line")
	{
		auto reply = parser.feed("250 2.1.0 Ok");
		REQUIRE(reply);
		CHECK(reply->enhanced == "2.1.0");
		CHECK(reply->text() == "Ok");
		CHECK(reply->lines == std::vector<std::string>{"250 2.1.0 Ok"});
	}
	SECTION("present on every line of a multi-line reply")
	{
		CHECK_FALSE(parser.feed("550-5.7.1 Service unavailable;"));
		auto reply = parser.feed("550 5.7.1 see https://example.org/rbl");
		REQUIRE(reply);
		CHECK(reply->enhanced == "5.7.1");
		CHECK(reply->text() == "Service unavailable;\nsee https://example.org/rbl");
	}
	SECTION("three-digit subject and detail, code alone")
	{
		auto reply = parser.feed("452 4.123.456");
		REQUIRE(reply);
		CHECK(reply->enhanced == "4.123.456");
		CHECK(reply->text().empty());
	}
	SECTION("absent")
	{
		auto reply = parser.feed("250 Ok");
		REQUIRE(reply);
		CHECK(reply->enhanced.empty());
		CHECK(reply->text() == "Ok");
	}
	SECTION("class different from the reply's is left in the text")
	{
		auto reply = parser.feed("250 5.1.0 odd");
		REQUIRE(reply);
		CHECK(reply->enhanced.empty());
		CHECK(reply->text() == "5.1.0 odd");
	}
	SECTION("3xx replies never carry one")
	{
		auto reply = parser.feed("354 3.0.0 go ahead");
		REQUIRE(reply);
		CHECK(reply->enhanced.empty());
		CHECK(reply->text() == "3.0.0 go ahead");
	}
}

TEST_CASE("splitEnhancedCode accepts only RFC 3463 codes", "[reply][enhanced]")
{
	using Split = std::pair<std::string, std::string>;
	CHECK(splitEnhancedCode(250, "2.0.0 Ok") == Split{"2.0.0", "Ok"});
	CHECK(splitEnhancedCode(250, "2.0.0") == Split{"2.0.0", ""});
	CHECK(splitEnhancedCode(250, "2.0.0  two") == Split{"2.0.0", " two"});
	CHECK(splitEnhancedCode(421, "4.4.2 timeout") == Split{"4.4.2", "timeout"});
	CHECK(splitEnhancedCode(554, "5.123.999 x") == Split{"5.123.999", "x"});
	CHECK(splitEnhancedCode(250, "8BITMIME") == Split{"", "8BITMIME"});
	CHECK(splitEnhancedCode(250, "4.0.0 wrong class") == Split{"", "4.0.0 wrong class"});
	CHECK(splitEnhancedCode(354, "3.0.0 x") == Split{"", "3.0.0 x"});
	CHECK(splitEnhancedCode(150, "1.0.0 x") == Split{"", "1.0.0 x"});
	CHECK(splitEnhancedCode(250, "2.1234.0 x") == Split{"", "2.1234.0 x"});
	CHECK(splitEnhancedCode(250, "2.0.1234 x") == Split{"", "2.0.1234 x"});
	CHECK(splitEnhancedCode(250, "2..0 x") == Split{"", "2..0 x"});
	CHECK(splitEnhancedCode(250, "2.0. x") == Split{"", "2.0. x"});
	CHECK(splitEnhancedCode(250, "2.0 x") == Split{"", "2.0 x"});
	CHECK(splitEnhancedCode(250, "2.0.0x") == Split{"", "2.0.0x"});
	CHECK(splitEnhancedCode(250, "2.0.0.1 x") == Split{"", "2.0.0.1 x"});
	CHECK(splitEnhancedCode(250, "2.") == Split{"", "2."});
	CHECK(splitEnhancedCode(250, "2") == Split{"", "2"});
	CHECK(splitEnhancedCode(250, "") == Split{"", ""});
}
