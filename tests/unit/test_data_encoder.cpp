#include "smtp/DataEncoder.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

using smtpx::smtp::encodeMessageData;
using smtpx::smtp::unstuffLine;

namespace {

// The message must end exactly once, at the very end.
void checkSingleTerminator(const std::string& encoded)
{
	INFO("encoded: " << encoded);
	REQUIRE(encoded.size() >= 3);
	CHECK(encoded.ends_with(".\r\n"));
	const std::string body = encoded.substr(0, encoded.size() - 3);
	CHECK((body.empty() || body.ends_with("\r\n")));
	CHECK(("\r\n" + encoded).find("\r\n.\r\n") == body.size());
}

// Every CR is followed by LF and every LF preceded by CR.
void checkOnlyCrlf(const std::string& encoded)
{
	for (std::size_t i = 0; i < encoded.size(); ++i)
	{
		if (encoded[i] == '\r')
			CHECK((i + 1 < encoded.size() && encoded[i + 1] == '\n'));
		if (encoded[i] == '\n')
			CHECK((i > 0 && encoded[i - 1] == '\r'));
	}
}

} // namespace

TEST_CASE("empty input is just the terminator", "[data]")
{
	CHECK(encodeMessageData("") == ".\r\n");
}

TEST_CASE("CRLF text passes through and gets the terminator", "[data]")
{
	CHECK(encodeMessageData("Subject: hi\r\n\r\nbody\r\n") == "Subject: hi\r\n\r\nbody\r\n.\r\n");
}

TEST_CASE("text without a final line end gets CRLF", "[data]")
{
	CHECK(encodeMessageData("body") == "body\r\n.\r\n");
	CHECK(encodeMessageData("a\r\nb") == "a\r\nb\r\n.\r\n");
}

TEST_CASE("bare LF and bare CR become CRLF", "[data]")
{
	CHECK(encodeMessageData("a\nb\n") == "a\r\nb\r\n.\r\n");
	CHECK(encodeMessageData("a\rb\r") == "a\r\nb\r\n.\r\n");
	CHECK(encodeMessageData("\n") == "\r\n.\r\n");
	CHECK(encodeMessageData("\r") == "\r\n.\r\n");
	CHECK(encodeMessageData("\n\n") == "\r\n\r\n.\r\n");
}

TEST_CASE("CR CR LF is a bare CR followed by CRLF", "[data]")
{
	CHECK(encodeMessageData("a\r\r\nb") == "a\r\n\r\nb\r\n.\r\n");
	CHECK(encodeMessageData("a\n\r\nb") == "a\r\n\r\nb\r\n.\r\n");
}

TEST_CASE("lines starting with a dot are stuffed", "[data]")
{
	CHECK(encodeMessageData(".") == "..\r\n.\r\n");
	CHECK(encodeMessageData("..") == "...\r\n.\r\n");
	CHECK(encodeMessageData(".leading\r\n") == "..leading\r\n.\r\n");
	CHECK(encodeMessageData("a\r\n.\r\nb\r\n") == "a\r\n..\r\nb\r\n.\r\n");
	CHECK(encodeMessageData("a.b\r\n.c.\r\n") == "a.b\r\n..c.\r\n.\r\n");
	CHECK(encodeMessageData("a\n.b\r.c") == "a\r\n..b\r\n..c\r\n.\r\n");
}

TEST_CASE("no input sequence can end the message early", "[data]")
{
	for (const char* text : {".", "..", "\n.\n", "\r.\r", "\r\n.\n", "\n.\r\n", "\r.\n", "a\r\n.\r\nb", ".\r\n", "\r\n.\r\n",
			 "\n.", "\r.", "a\r\r.\r\r", "x\n.\nx\n.\n", ".\r\n.\r\n.\r\n", "\r\n\r\n.\r\n\r\n"})
	{
		INFO("input: " << text);
		const std::string encoded = encodeMessageData(text);
		checkSingleTerminator(encoded);
		checkOnlyCrlf(encoded);
	}
}

TEST_CASE("exhaustive short inputs over the interesting alphabet", "[data]")
{
	// Every string up to 6 characters over {'.', '\r', '\n', 'a'}.
	const char alphabet[] = {'.', '\r', '\n', 'a'};
	std::string text;
	for (std::size_t length = 0; length <= 6; ++length)
	{
		std::size_t combinations = 1;
		for (std::size_t i = 0; i < length; ++i)
			combinations *= 4;
		for (std::size_t n = 0; n < combinations; ++n)
		{
			text.clear();
			for (std::size_t i = 0, rest = n; i < length; ++i, rest /= 4)
				text += alphabet[rest % 4];
			const std::string encoded = encodeMessageData(text);
			const std::string body = encoded.substr(0, encoded.size() - 3);
			if (("\r\n" + encoded).find("\r\n.\r\n") != body.size() || !encoded.ends_with(".\r\n"))
				FAIL("early terminator for input of length " << length << ", combination " << n);
		}
	}
}

TEST_CASE("UTF-8 and other bytes are untouched", "[data]")
{
	const std::string text = "Grüße, 日本語 \xF0\x9F\x93\xA7\r\nnull:" + std::string(1, '\0') + " tab:\t\r\n";
	CHECK(encodeMessageData(text) == text + ".\r\n");
}

TEST_CASE("encoding a multi-megabyte body is fast", "[data][perf]")
{
	std::string text;
	for (int i = 0; i < 100000; ++i)
		text += (i % 10 == 0) ? ".dotted line of a message body that is long\n" : "plain line of a message body, longish\n";
	REQUIRE(text.size() > 3'000'000);
	const auto start = std::chrono::steady_clock::now();
	const std::string encoded = encodeMessageData(text);
	const auto elapsed = std::chrono::steady_clock::now() - start;
	CHECK(encoded.size() == text.size() + 100000 + 10000 + 3);
	// Generous even for an unoptimised build on a slow machine; a quadratic encoder takes minutes.
	CHECK(elapsed < std::chrono::seconds(2));
}

TEST_CASE("unstuffLine removes one leading dot", "[data]")
{
	CHECK(unstuffLine("..") == ".");
	CHECK(unstuffLine("..leading") == ".leading");
	CHECK(unstuffLine(".x") == "x");
	CHECK(unstuffLine("x.") == "x.");
	CHECK(unstuffLine("") == "");
	CHECK(unstuffLine("plain") == "plain");
}

TEST_CASE("unstuffing the encoded lines gives back the normalised text", "[data]")
{
	const std::string text = ".a\r\n..b\r\nc\r\n.\r\n";
	const std::string encoded = encodeMessageData(text);
	std::string decoded;
	std::size_t pos = 0;
	for (;;)
	{
		const std::size_t end = encoded.find("\r\n", pos);
		const std::string_view line = std::string_view(encoded).substr(pos, end - pos);
		if (line == ".")
			break;
		decoded += unstuffLine(line);
		decoded += "\r\n";
		pos = end + 2;
	}
	CHECK(decoded == text);
}
