#include "smtp/ReplySpec.h"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using smtpx::smtp::CodePattern;
using smtpx::smtp::Reply;
using smtpx::smtp::ReplySpec;
using Captures = std::vector<std::string>;

namespace {

Reply makeReply(int code, std::vector<std::string> texts)
{
	Reply reply;
	reply.code = code;
	for (std::size_t i = 0; i < texts.size(); ++i)
		reply.lines.push_back(std::to_string(code) + (i + 1 < texts.size() ? "-" : " ") + texts[i]);
	reply.texts = std::move(texts);
	return reply;
}

ReplySpec specWithRegex(const std::string& regex)
{
	ReplySpec spec;
	spec.setRegex(regex);
	return spec;
}

} // namespace

TEST_CASE("CodePattern accepts digits and x with a first character 1-5 or x", "[spec][code]")
{
	CHECK(CodePattern("250").matches(250));
	CHECK_FALSE(CodePattern("250").matches(251));
	CHECK(CodePattern("2xx").matches(200));
	CHECK(CodePattern("2xx").matches(299));
	CHECK_FALSE(CodePattern("2xx").matches(354));
	CHECK(CodePattern("25x").matches(251));
	CHECK_FALSE(CodePattern("25x").matches(261));
	CHECK(CodePattern("5x1").matches(551));
	CHECK_FALSE(CodePattern("5x1").matches(550));
	CHECK(CodePattern("x50").matches(250));
	CHECK(CodePattern("x50").matches(450));
	CHECK_FALSE(CodePattern("x50").matches(251));
	CHECK(CodePattern("xxx").matches(100));
	CHECK(CodePattern("xxx").matches(599));
	CHECK_FALSE(CodePattern("xxx").matches(99));
	CHECK_FALSE(CodePattern("xxx").matches(600));
	CHECK_FALSE(CodePattern("xxx").matches(-250));
}

TEST_CASE("CodePattern normalises X to x", "[spec][code]")
{
	CodePattern pattern("2XX");
	CHECK(pattern.text() == "2xx");
	CHECK(pattern.matches(221));
}

TEST_CASE("CodePattern from an int", "[spec][code]")
{
	CHECK(CodePattern(354).text() == "354");
	CHECK(CodePattern(354).matches(354));
	CHECK_FALSE(CodePattern(354).matches(355));
	CHECK_THROWS_AS(CodePattern(99), std::invalid_argument);
	CHECK_THROWS_AS(CodePattern(600), std::invalid_argument);
}

TEST_CASE("CodePattern rejects malformed patterns", "[spec][code]")
{
	for (const char* bad : {"", "2", "25", "2500", "2xxx", "050", "650", "950", "a50", "2a0", "25y", " 25", "25 ", "2-0", "-25"})
	{
		INFO("pattern \"" << bad << "\"");
		CHECK_THROWS_AS(CodePattern(bad), std::invalid_argument);
	}
	CHECK_THROWS_WITH(CodePattern("650"), Catch::Contains("\"650\""));
}

TEST_CASE("an empty spec accepts any reply", "[spec]")
{
	ReplySpec spec;
	auto captures = spec.match(makeReply(554, {"go away"}));
	REQUIRE(captures);
	CHECK(captures->empty());
	CHECK(spec.describe() == "any reply");
}

TEST_CASE("a spec with codes accepts any of them", "[spec]")
{
	ReplySpec spec;
	spec.addCode(CodePattern("2xx"));
	spec.addCode(CodePattern("354"));
	CHECK(spec.match(makeReply(250, {"ok"})));
	CHECK(spec.match(makeReply(354, {"go ahead"})));
	CHECK_FALSE(spec.match(makeReply(355, {"?"})));
	CHECK_FALSE(spec.match(makeReply(550, {"no"})));
	CHECK(spec.match(makeReply(220, {"hi"}))->empty());
}

TEST_CASE("regexes search the whole multi-line text with ^ and $ at each line", "[spec][regex]")
{
	const Reply ehlo = makeReply(250, {"mail.example.org", "PIPELINING", "SIZE 10240000", "STARTTLS", "CHUNKING"});
	CHECK(specWithRegex("^STARTTLS$").match(ehlo));
	CHECK(specWithRegex("^SIZE").match(ehlo));
	CHECK(specWithRegex("TLS").match(ehlo));
	CHECK(specWithRegex("^mail").match(ehlo));
	CHECK(specWithRegex("CHUNKING$").match(ehlo));
	CHECK_FALSE(specWithRegex("^TLS").match(ehlo));
	CHECK_FALSE(specWithRegex("^AUTH").match(ehlo));
	CHECK_FALSE(specWithRegex("^250").match(ehlo));  // the code is not part of the text
	CHECK(specWithRegex("(?i)^starttls$").match(ehlo));
}

TEST_CASE("regex captures", "[spec][regex]")
{
	const Reply ehlo = makeReply(250, {"mail.example.org", "SIZE 10240000", "AUTH PLAIN LOGIN"});
	SECTION("groups in order")
	{
		auto captures = specWithRegex("^SIZE (\\d+)$").match(ehlo);
		REQUIRE(captures);
		CHECK(*captures == Captures{"10240000"});
	}
	SECTION("several groups")
	{
		auto captures = specWithRegex("^AUTH (\\w+) (\\w+)").match(ehlo);
		REQUIRE(captures);
		CHECK(*captures == Captures{"PLAIN", "LOGIN"});
	}
	SECTION("no groups gives no captures")
	{
		auto captures = specWithRegex("AUTH").match(ehlo);
		REQUIRE(captures);
		CHECK(captures->empty());
	}
	SECTION("unset optional groups give empty strings, also trailing ones")
	{
		auto captures = specWithRegex("^AUTH (PLAIN)(?: (CRAM-MD5))?(?: (LOGIN))?(?: (XOAUTH2))?").match(ehlo);
		REQUIRE(captures);
		CHECK(*captures == Captures{"PLAIN", "", "LOGIN", ""});
	}
	SECTION("named groups count as groups")
	{
		auto captures = specWithRegex("^SIZE (?<size>\\d+)(x)?").match(ehlo);
		REQUIRE(captures);
		CHECK(*captures == Captures{"10240000", ""});
	}
	SECTION("non-capturing constructs are not groups")
	{
		auto captures = specWithRegex("(?:^SIZE) (?=\\d)(\\d+)(?#comment)[(]?").match(ehlo);
		REQUIRE(captures);
		CHECK(*captures == Captures{"10240000"});
	}
	SECTION("extended mode comments and quoted text do not confuse the group count")
	{
		auto extended = specWithRegex("(?x) ^SIZE \\s (\\d+) (x)? # trailing comment (y)").match(ehlo);
		REQUIRE(extended);
		CHECK(*extended == Captures{"10240000", ""});
		auto quoted = specWithRegex("^(SIZE) \\Q10240000(").match(makeReply(250, {"SIZE 10240000("}));
		REQUIRE(quoted);
		CHECK(*quoted == Captures{"SIZE"});
	}
	SECTION("twenty groups are supported")
	{
		std::string regex;
		for (int i = 0; i < 20; ++i)
			regex += "(x)?";
		auto captures = specWithRegex(regex).match(ehlo);
		REQUIRE(captures);
		CHECK(*captures == Captures(20, ""));
	}
}

TEST_CASE("code and regex must both match", "[spec][regex]")
{
	ReplySpec spec;
	spec.addCode(CodePattern("250"));
	spec.setRegex("^Ok (\\S+)");
	CHECK(*spec.match(makeReply(250, {"Ok queued"})) == Captures{"queued"});
	CHECK_FALSE(spec.match(makeReply(251, {"Ok queued"})));
	CHECK_FALSE(spec.match(makeReply(250, {"Not ok"})));
}

TEST_CASE("a regex can be replaced", "[spec][regex]")
{
	ReplySpec spec;
	spec.setRegex("(a)(b)");
	spec.setRegex("^(x)$");
	CHECK(*spec.match(makeReply(250, {"x"})) == Captures{"x"});
	CHECK(spec.describe() == "/^(x)$/");
}

TEST_CASE("bad regexes are rejected with PCRE's message", "[spec][regex]")
{
	ReplySpec spec;
	CHECK_THROWS_AS(spec.setRegex("a("), std::invalid_argument);
	CHECK_THROWS_WITH(spec.setRegex("a("), Catch::Contains("/a(/") && Catch::Contains("missing )"));
	CHECK_THROWS_WITH(spec.setRegex("[a"), Catch::Contains("missing terminating ]"));
	CHECK_THROWS_WITH(spec.setRegex("a)(b"), Catch::Contains("unmatched parentheses"));
	std::string tooMany;
	for (int i = 0; i < 21; ++i)
		tooMany += "(x)?";
	CHECK_THROWS_WITH(spec.setRegex(tooMany), Catch::Contains("more than 20 capture groups"));
	// A failed setRegex leaves the spec as it was.
	CHECK(spec.describe() == "any reply");
	CHECK(spec.match(makeReply(250, {"x"})));
}

TEST_CASE("describe", "[spec]")
{
	ReplySpec one;
	one.addCode(CodePattern("250"));
	CHECK(one.describe() == "250");

	ReplySpec two;
	two.addCode(CodePattern("2xx"));
	two.addCode(CodePattern("5XX"));
	CHECK(two.describe() == "2xx or 5xx");

	CHECK(specWithRegex("^250 ok").describe() == "/^250 ok/");

	ReplySpec both = one;
	both.setRegex("x");
	CHECK(both.describe() == "250 and /x/");

	ReplySpec all = two;
	all.setRegex("x");
	CHECK(all.describe() == "(2xx or 5xx) and /x/");
}
