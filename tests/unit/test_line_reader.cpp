#include "net/LineReader.h"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

using smtpx::net::LineReader;
using smtpx::net::LineTooLong;

namespace {

using Line = std::pair<std::string, bool>;  // text, bare LF

std::vector<Line> drain(LineReader& reader)
{
	std::vector<Line> lines;
	std::string line;
	bool bareLf = false;
	while (reader.nextLine(line, bareLf))
		lines.emplace_back(line, bareLf);
	return lines;
}

} // namespace

TEST_CASE("CRLF lines", "[linereader]")
{
	LineReader reader;
	reader.append("220 hi\r\n250 ok\r\n");
	CHECK(drain(reader) == std::vector<Line>{{"220 hi", false}, {"250 ok", false}});
	CHECK(reader.buffered() == 0);
}

TEST_CASE("no complete line yet", "[linereader]")
{
	LineReader reader;
	std::string line = "untouched";
	bool bareLf = true;
	CHECK_FALSE(reader.nextLine(line, bareLf));
	reader.append("220 partial");
	CHECK_FALSE(reader.nextLine(line, bareLf));
	CHECK(reader.buffered() == 11);
	reader.append("\r");
	CHECK_FALSE(reader.nextLine(line, bareLf));
	reader.append("\n");
	REQUIRE(reader.nextLine(line, bareLf));
	CHECK(line == "220 partial");
	CHECK_FALSE(bareLf);
}

TEST_CASE("bare LF ends a line and is flagged", "[linereader]")
{
	LineReader reader;
	reader.append("a\nb\r\n\n\r\n");
	CHECK(drain(reader) == std::vector<Line>{{"a", true}, {"b", false}, {"", true}, {"", false}});
}

TEST_CASE("CR not followed by LF stays in the line", "[linereader]")
{
	LineReader reader;
	reader.append("a\rb\r\nc\r\r\n\r\r\n");
	CHECK(drain(reader) == std::vector<Line>{{"a\rb", false}, {"c\r", false}, {"\r", false}});
}

TEST_CASE("lines split at every point come out the same", "[linereader]")
{
	const std::string wire = "250-a\r\n250-bb\n\r\n250-c\rc\r\n250 end\r\ntail";
	const std::vector<Line> expected = {{"250-a", false}, {"250-bb", true}, {"", false}, {"250-c\rc", false}, {"250 end", false}};

	SECTION("byte by byte")
	{
		LineReader reader;
		std::vector<Line> lines;
		for (char c : wire)
		{
			reader.append(std::string_view(&c, 1));
			for (Line& line : drain(reader))
				lines.push_back(std::move(line));
		}
		CHECK(lines == expected);
		CHECK(reader.takeBuffered() == "tail");
	}
	SECTION("two parts")
	{
		for (std::size_t cut = 0; cut <= wire.size(); ++cut)
		{
			INFO("cut at " << cut);
			LineReader reader;
			reader.append(std::string_view(wire).substr(0, cut));
			std::vector<Line> lines = drain(reader);
			reader.append(std::string_view(wire).substr(cut));
			for (Line& line : drain(reader))
				lines.push_back(std::move(line));
			CHECK(lines == expected);
			CHECK(reader.buffered() == 4);
		}
	}
}

TEST_CASE("takeBuffered returns what was not yet read as lines", "[linereader]")
{
	LineReader reader;
	reader.append("220 go ahead\r\n\x16\x03\x01 tls bytes\r\nmore");
	std::string line;
	bool bareLf = false;
	REQUIRE(reader.nextLine(line, bareLf));
	CHECK(reader.takeBuffered() == "\x16\x03\x01 tls bytes\r\nmore");
	CHECK(reader.buffered() == 0);
	CHECK_FALSE(reader.nextLine(line, bareLf));
	reader.append("x\r\n");
	CHECK(drain(reader) == std::vector<Line>{{"x", false}});
}

TEST_CASE("a line at the limit is accepted", "[linereader][limit]")
{
	LineReader reader(10);
	reader.append(std::string(10, 'a'));
	reader.append("\r");
	reader.append("\n");
	reader.append(std::string(10, 'b') + "\n" + std::string(10, 'c') + "\r\n");
	CHECK(drain(reader) == std::vector<Line>{{std::string(10, 'a'), false}, {std::string(10, 'b'), true}, {std::string(10, 'c'), false}});
}

TEST_CASE("a line over the limit throws as soon as the limit is passed", "[linereader][limit]")
{
	LineReader reader(10);
	SECTION("unterminated, byte by byte")
	{
		for (int i = 0; i < 10; ++i)
			reader.append("a");
		CHECK_THROWS_AS(reader.append("a"), LineTooLong);
		CHECK(reader.buffered() == 0);
	}
	SECTION("a trailing CR may still start CRLF, anything else after it may not")
	{
		reader.append(std::string(10, 'a') + "\r");
		CHECK_THROWS_AS(reader.append("x"), LineTooLong);
	}
	SECTION("terminated line in one chunk")
	{
		CHECK_THROWS_WITH(reader.append(std::string(11, 'a') + "\r\n"), Catch::Contains("longer than 10 bytes"));
		CHECK_THROWS_AS(reader.append(std::string(11, 'a') + "\n"), LineTooLong);
		CHECK_THROWS_AS(reader.append(std::string(10, 'a') + "\r\r\n"), LineTooLong);
	}
	SECTION("a huge chunk is never buffered")
	{
		CHECK_THROWS_AS(reader.append(std::string(10 * 1024 * 1024, 'x')), LineTooLong);
		CHECK(reader.buffered() == 0);
	}
	SECTION("a long line arriving in many reads is never buffered beyond the limit")
	{
		LineReader big(1000);
		std::size_t appended = 0;
		CHECK_THROWS_AS(
			[&] {
				for (;;)
				{
					big.append(std::string(64, 'x'));
					appended += 64;
					REQUIRE(big.buffered() <= 1000);
				}
			}(),
			LineTooLong);
		CHECK(appended == 960);
	}
}

TEST_CASE("after LineTooLong the complete lines before it stay buffered", "[linereader][limit]")
{
	LineReader reader(10);
	reader.append("ok1\r\nok");
	CHECK_THROWS_AS(reader.append("2\r\n" + std::string(20, 'x')), LineTooLong);
	CHECK(drain(reader) == std::vector<Line>{{"ok1", false}, {"ok2", false}});
	CHECK(reader.buffered() == 0);

	reader.append("partial");
	CHECK_THROWS_AS(reader.append("-and-too-long"), LineTooLong);
	CHECK(reader.buffered() == 0);
	reader.append("next\r\n");
	CHECK(drain(reader) == std::vector<Line>{{"next", false}});
}

TEST_CASE("many lines are read in linear time with a bounded buffer", "[linereader][perf]")
{
	LineReader reader;
	const std::string chunk = "250-a line of a long multi-line reply\r\n250-another one\r\n";
	std::string line;
	bool bareLf = false;
	std::size_t lines = 0;
	for (int i = 0; i < 50000; ++i)
	{
		reader.append(chunk);
		// Read only one of the two lines per chunk for a while so the buffer holds consumed bytes.
		if (reader.nextLine(line, bareLf))
			++lines;
		if (i % 1000 == 999)
		{
			while (reader.nextLine(line, bareLf))
				++lines;
			CHECK(reader.buffered() == 0);
		}
	}
	CHECK(lines == 100000);
}
