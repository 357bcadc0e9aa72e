// What transcripts turn into: Lua scripts (smtpx convert --to lua) and JUnit XML / TAP reports.
#include "lua/LuaHeaders.h"
#include "replay/Importer.h"
#include "replay/LuaWriter.h"
#include "replay/RecordingProxy.h"
#include "report/TestReport.h"

#include <catch2/catch.hpp>

#include <string>

using namespace smtpx::replay;
using smtpx::report::TestCase;
using smtpx::report::junitXml;
using smtpx::report::tap;

namespace {

// True when `code` compiles as a Lua chunk.
bool compiles(const std::string& code, std::string& error)
{
	lua_State* L = luaL_newstate();
	bool ok = luaL_loadbuffer(L, code.data(), code.size(), "converted") == LUA_OK;
	if (!ok) error = lua_tostring(L, -1);
	lua_close(L);
	return ok;
}

bool contains(const std::string& text, const std::string& part)
{
	return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("convert --to lua: stdlib primitives where the code is all that counts", "[transcript][convert]")
{
	Transcript transcript = importText(
		"Trying 127.0.0.1...\n"
		"220 mx ESMTP\n"
		"EHLO me\n"
		"250-mx\n"
		"250 PIPELINING\n"
		"AUTH LOGIN\n"
		"334 VXNlcm5hbWU6\n"
		"dGVzdHVzZXI=\n"
		"334 UGFzc3dvcmQ6\n"
		"dGVzdHBhc3M=\n"
		"235 ok\n"
		"DATA\n"
		"354 go\n"
		"Subject: \"quoted\" \\ and {{braces}}\n"
		".\n"
		"250 2.0.0 Ok: queued as 4F2A\n"
		"QUIT\n"
		"221 bye\n", {}).transcript;
	std::string lua = writeLua(transcript, "paste.txt");
	std::string error;
	CHECK(compiles(lua, error));
	INFO(error);
	CHECK(contains(lua, "local s = smtp.connect(server or \"127.0.0.1\")"));
	CHECK(contains(lua, "s:expect(220)  -- 220 mx ESMTP\n"));
	CHECK(contains(lua, "s:send(\"EHLO me\")\ns:expect(250)  -- 250-mx (+1 lines)\n"));
	CHECK(contains(lua, "d:expect({\n\t\"S: 334 VXNlcm5hbWU6\",\n})\nd:send(\"{{secret:user:base64}}\")\n"));
	CHECK(contains(lua, "s:send(\"Subject: \\\"quoted\\\" \\\\ and {{braces}}\")\n"));
	CHECK(contains(lua, "s:send(\"QUIT\")\ns:half_close()"));
	CHECK(contains(lua, "-- === Trying 127.0.0.1..."));
	CHECK_FALSE(contains(lua, "dGVzdHBhc3M="));
}

TEST_CASE("convert --to lua: text rules go through a dialogue, spelt as in the transcript", "[transcript][convert]")
{
	Transcript transcript = importText(
		"# smtpx transcript 1\n"
		"@match text\n"
		"@ehlo-extras ignore\n"
		"S: 220 mx ESMTP\n"
		"C: EHLO me\n"
		"S: 250-mx\n"
		"S# 250 SIZE 1\n"
		"C: QUIT\n"
		"S# 221\n", {}).transcript;
	std::string lua = writeLua(transcript, "t.smtpx");
	std::string error;
	CHECK(compiles(lua, error));
	CHECK(contains(lua, "replay.dialogue(s, {match = \"text\", extras = \"ignore\", secrets = params})"));
	CHECK(contains(lua, "d:expect({\n\t\"S: 220 mx ESMTP\",\n})\n"));
	CHECK(contains(lua, "d:expect({\n\t\"S: 250-mx\",\n\t\"S# 250 SIZE 1\",\n}, {ehlo = true})\n"));
	CHECK(contains(lua, "s:expect(221)"));
}

TEST_CASE("JUnit XML and TAP name each transcript and why it failed", "[transcript][report]")
{
	std::vector<TestCase> cases = {
		{"plain.txt", 0, "", 0.25},
		{"bad <one>.txt", 30, "step 7 (bad line 9): expected \"250 Ok\", got \"554 no\"\nsecond", 1.5},
	};
	std::string xml = junitXml("smtpx.replay", cases);
	CHECK(contains(xml, "<testsuite name=\"smtpx.replay\" tests=\"2\" failures=\"1\" errors=\"0\" time=\"1.750\">"));
	CHECK(contains(xml, "<testcase classname=\"smtpx.replay\" name=\"plain.txt\" time=\"0.250\"/>"));
	CHECK(contains(xml, "name=\"bad &lt;one&gt;.txt\""));
	CHECK(contains(xml, "<failure message=\"step 7 (bad line 9): expected &quot;250 Ok&quot;, got &quot;554 no&quot;\" type=\"exit 30\">"));

	std::string report = tap(cases);
	CHECK(report.starts_with("TAP version 13\n1..2\nok 1 - plain.txt\nnot ok 2 - bad <one>.txt\n"));
	CHECK(contains(report, "  exit: 30\n  message: |\n    step 7"));
	CHECK(contains(report, "\n    second\n  ...\n"));
}

TEST_CASE("smtpx record names one file per session", "[transcript][record]")
{
	CHECK(RecordingProxy::outFile("/tmp/x/rec.smtpx", 1) == "/tmp/x/rec.smtpx");
	CHECK(RecordingProxy::outFile("/tmp/x/rec.smtpx", 2) == "/tmp/x/rec-2.smtpx");
	CHECK(RecordingProxy::outFile("/tmp/x/rec", 3) == "/tmp/x/rec-3");
	CHECK(RecordingProxy::outFile("/tmp/x/", 4) == "/tmp/x/session-4.smtpx");
}
