// Comparing replies with recorded ones, placeholders, and filling in client lines.
#include "replay/ReplyMatcher.h"
#include "replay/Template.h"

#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace smtpx::replay;
using smtpx::smtp::Reply;

namespace {

Reply reply(std::vector<std::string> lines)
{
	Reply r;
	r.code = std::stoi(lines[0].substr(0, 3));
	r.lines = std::move(lines);
	return r;
}

std::vector<ServerLine> recorded(std::vector<std::string> lines, MatchRule rule = MatchRule::Default)
{
	std::vector<ServerLine> out;
	for (auto& line : lines) out.push_back({rule, line, 0});
	return out;
}

std::optional<std::string> compare(const std::vector<ServerLine>& expected, const Reply& actual, MatchOptions options = {},
	bool ehlo = false)
{
	Captures captures;
	return compareReply(expected, actual, ehlo, options, captures);
}

const MatchOptions kText{MatchRule::Text, false};

const std::vector<std::string> kRecordedEhlo = {"250-postfix.testbed.local", "250-PIPELINING", "250-SIZE 10240000",
	"250-AUTH PLAIN LOGIN", "250-ENHANCEDSTATUSCODES", "250 CHUNKING"};

} // namespace

TEST_CASE("By default only the reply code counts", "[transcript][match]")
{
	CHECK_FALSE(compare(recorded({"250 2.1.5 Ok"}), reply({"250 something else"})));
	auto problem = compare(recorded({"250 2.1.5 Ok"}), reply({"554 5.7.1 Relay access denied"}));
	REQUIRE(problem);
	CHECK(*problem == "expected \"250 2.1.5 Ok\", got \"554 5.7.1 Relay access denied\"");
	CHECK_FALSE(compare(recorded(kRecordedEhlo), reply({"250-x", "250 y"}), {}, true));
}

TEST_CASE("Text lines match exactly, with placeholders for what varies", "[transcript][match]")
{
	CHECK_FALSE(compare(recorded({"250 2.0.0 Ok: queued as {{queue_id}}"}), reply({"250 2.0.0 Ok: queued as 8E724A720FF"}), kText));
	CHECK(compare(recorded({"250 2.0.0 Ok: queued as {{queue_id}}"}), reply({"250 2.0.0 Ok: queued as"}), kText));
	CHECK_FALSE(compare(recorded({"220 exim ESMTP Exim 4.96 {{date}}"}), reply({"220 exim ESMTP Exim 4.96 Tue, 25 Mar 2003 11:37:02 +0000"}), kText));
	CHECK_FALSE(compare(recorded({"250 x Hello me [{{ip}}]"}), reply({"250 x Hello me [127.0.0.1]"}), kText));
	CHECK_FALSE(compare(recorded({"250 x [IPv6:{{ip}}]"}), reply({"250 x [IPv6:::1]"}), kText));
	CHECK_FALSE(compare(recorded({"250 {{any}}"}), reply({"250 anything at all"}), kText));
	auto problem = compare(recorded({"250 2.1.0 Ok"}), reply({"250 2.1.0 OK"}), kText);
	REQUIRE(problem);
	CHECK(*problem == "expected \"250 2.1.0 Ok\", got \"250 2.1.0 OK\"");
	CHECK(compare(recorded({"250-a", "250 b"}), reply({"250 a"}), kText));
	auto second = compare(recorded({"250-a", "250 b"}), reply({"250-a", "250 c"}), kText);
	REQUIRE(second);
	CHECK(second->starts_with("line 2 of the reply:"));
}

TEST_CASE("Per-line rules: code only, regex, text, whatever the default", "[transcript][match]")
{
	std::vector<ServerLine> mixed = {{MatchRule::Code, "250-host", 0}, {MatchRule::Regex, "250 SIZE \\d+$", 0}};
	CHECK_FALSE(compare(mixed, reply({"250-other", "250 SIZE 123"})));
	CHECK(compare(mixed, reply({"250-other", "250 SIZE big"})));
	CHECK(compare(recorded({"250 exact"}, MatchRule::Text), reply({"250 other"})));
	CHECK_FALSE(compare(recorded({"250 exact"}, MatchRule::Code), reply({"250 other"}), kText));
}

TEST_CASE("EHLO capabilities compare as a set", "[transcript][match][ehlo]")
{
	std::vector<std::string> shuffled = {"250-postfix.testbed.local", "250-CHUNKING", "250-AUTH LOGIN PLAIN", "250-SIZE 10240000",
		"250-ENHANCEDSTATUSCODES", "250 PIPELINING"};
	CHECK_FALSE(compare(recorded(kRecordedEhlo), reply(shuffled), kText, true));
	CHECK(compare(recorded(kRecordedEhlo), reply(shuffled), kText, false));  // line by line when it is no EHLO

	std::vector<std::string> harness = {"250-postfix.testbed.local", "250-PIPELINING", "250-SIZE 20971520", "250-VRFY",
		"250-AUTH PLAIN LOGIN CRAM-MD5", "250-ENHANCEDSTATUSCODES", "250 CHUNKING"};
	auto size = compare(recorded(kRecordedEhlo), reply(harness), kText, true);
	REQUIRE(size);
	CHECK(*size == "the server offers SIZE 20971520, the transcript SIZE 10240000");

	std::vector<std::string> adapted = kRecordedEhlo;
	adapted[2] = "250-SIZE {{any}}";
	auto extra = compare(recorded(adapted), reply(harness), kText, true);
	REQUIRE(extra);
	CHECK(extra->find("AUTH PLAIN LOGIN CRAM-MD5") != std::string::npos);
	CHECK_FALSE(compare(recorded(adapted), reply(harness), {MatchRule::Text, true}, true));

	std::vector<std::string> withoutAuth = harness;
	withoutAuth.erase(withoutAuth.begin() + 4);
	auto missing = compare(recorded(adapted), reply(withoutAuth), {MatchRule::Text, true}, true);
	REQUIRE(missing);
	CHECK(*missing == "the server does not offer AUTH");
}

TEST_CASE("Named captures are kept, stay consistent and are only taken from a matching reply", "[transcript][match]")
{
	Captures captures;
	MatchOptions options;  // code by default: a capture still makes the line compare as text
	CHECK_FALSE(compareReply(recorded({"250 queued as {{qid:[0-9A-F]+}}"}), reply({"250 queued as 4F2A"}), false, options, captures));
	CHECK(captures.at("qid") == "4F2A");
	CHECK_FALSE(compareReply(recorded({"250 still {{qid}}"}), reply({"250 still 4F2A"}), false, options, captures));
	CHECK(compareReply(recorded({"250 still {{qid}}"}, MatchRule::Text), reply({"250 still 9999"}), false, options, captures));
	CHECK(compareReply(recorded({"250 again {{qid:[0-9A-F]+}}"}), reply({"250 again 9999"}), false, options, captures));

	Captures fresh;
	CHECK(compareReply(recorded({"250-{{a:x+}}", "250 no"}, MatchRule::Text), reply({"250-xx", "250 yes"}), false, options, fresh));
	CHECK(fresh.empty());
	CHECK_FALSE(compareReply(recorded({"250 {{pair:(a)(b)}} {{n:[0-9]{2}}}"}), reply({"250 ab 42"}), false, options, fresh));
	CHECK(fresh.at("pair") == "ab");
	CHECK(fresh.at("n") == "42");
}

TEST_CASE("Templates: literal braces, errors", "[transcript][template]")
{
	auto parts = parseTemplate("a \\{{b}} {{c:x{2}}} d");
	REQUIRE(parts.size() == 3);
	CHECK(parts[0].text == "a {{b}} ");
	CHECK(parts[1].placeholder);
	CHECK(parts[1].text == "c");
	CHECK(parts[1].argument == "x{2}");
	CHECK(escapeLiteral("x {{y}}") == "x \\{{y}}");
	CHECK(parseTemplate(escapeLiteral("\\{{ and {{"))[0].text == "\\{{ and {{");
	CHECK_THROWS_AS(parseTemplate("open {{ never closed"), std::invalid_argument);
	CHECK_THROWS_AS(parseTemplate("{{9lives}}"), std::invalid_argument);
	CHECK_THROWS_AS(TextPattern("{{unknown}}", {}), std::invalid_argument);
	CHECK_THROWS_AS(TextPattern("{{x:(}}", {}), std::invalid_argument);
	CHECK_THROWS_AS(TextPattern("{{secret:user}}", {}), std::invalid_argument);
}

TEST_CASE("Client lines: captures, secrets and SASL responses", "[transcript][template]")
{
	Captures captures{{"qid", "4F2A"}};
	std::map<std::string, std::string> secrets{{"user", "testuser"}, {"password", "testpass"}, {"tim", "tim"},
		{"tanstaaf", "tanstaaftanstaaf"}};
	ClientValues values;
	values.captures = &captures;
	values.secret = [&](const std::string& name) -> std::optional<std::string> {
		auto found = secrets.find(name);
		return found == secrets.end() ? std::nullopt : std::optional<std::string>(found->second);
	};
	ExpandedLine plain = expandClientLine("NOOP {{qid}} \\{{x}}", values);
	CHECK(plain.text == "NOOP 4F2A {{x}}");
	CHECK_FALSE(plain.secret);
	CHECK(expandClientLine("{{secret:user:base64}}", values).text == "dGVzdHVzZXI=");
	CHECK(expandClientLine("{{secret:user:base64}}", values).secret);
	CHECK(expandClientLine("AUTH PLAIN {{auth-plain:user:password}}", values).text == "AUTH PLAIN AHRlc3R1c2VyAHRlc3RwYXNz");
	values.challenge = "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+";  // RFC 2195's example
	CHECK(expandClientLine("{{cram-md5:tim:tanstaaf}}", values).text == "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
	try
	{
		expandClientLine("{{secret:missing}}", values);
		FAIL("no error for a missing secret");
	}
	catch (const std::invalid_argument& e)
	{
		CHECK(std::string(e.what()).find("SMTPX_SECRET_MISSING") != std::string::npos);
	}
	CHECK_THROWS_AS(expandClientLine("{{nothing}}", values), std::invalid_argument);
	CHECK_NOTHROW(checkClientTemplate("EHLO {{any}}", {}));
	CHECK_THROWS_AS(expandClientLine("EHLO {{any}}", values), std::invalid_argument);
	CHECK_THROWS_AS(checkClientTemplate("{{secret:a:b:c}}", {}), std::invalid_argument);
	CHECK_NOTHROW(checkClientTemplate("{{qid}}", {"qid"}));
	CHECK(secretVariable("auth-plain") == "SMTPX_SECRET_AUTH_PLAIN");
	CHECK(ClientPattern("EHLO {{any}}", true).matches("ehlo vm"));
	CHECK_FALSE(ClientPattern("EHLO {{any}}", false).matches("ehlo vm"));
	CHECK(ClientPattern("{{secret:user:base64}}", false).matches("dGVzdHVzZXI="));
	CHECK(renderServerLine("250 Ok: queued as {{queue_id}} at {{date}} for [{{ip}}]{{any}}", {"ABC", "Tue, 1 Jan", "::1"}) ==
		"250 Ok: queued as ABC at Tue, 1 Jan for [::1]");
	CHECK_THROWS_AS(renderServerLine("250 {{id:[0-9]+}}", {}), std::invalid_argument);
}
