// ScriptHeader (smtpx list, smtpx help --json): a script's leading comment block, its summary,
// and its options paragraph with continuation lines; ExitStatus names the exit codes --json gives.
#include "cli/ExitStatus.h"
#include "cli/ScriptHeader.h"

#include <catch2/catch.hpp>

#include <sstream>

using smtpx::cli::ScriptHeader;

namespace {

ScriptHeader parsed(const std::string& text)
{
	std::istringstream in(text);
	return ScriptHeader::parse(in);
}

} // namespace

TEST_CASE("The header is the leading comment block, its summary after the name", "[catalog]")
{
	auto header = parsed("--- probe: check a server.\n--\n-- More words.\nlocal s = 1\n-- not the header\n");
	CHECK(header.lines() == std::vector<std::string>{"probe: check a server.", "", "More words."});
	CHECK(header.summary() == "check a server.");
	CHECK(header.options().empty());
	CHECK(parsed("local s = 1\n").summary() == "(no description)");
}

TEST_CASE("Options: a name, a gap of two spaces, what it does, continued on deeper lines", "[catalog]")
{
	auto header = parsed(
		"--- send: send.\n"
		"--\n"
		"-- Options (--set KEY=VALUE):\n"
		"--   server    HOST[:PORT] to talk to\n"
		"--   password  AUTH password; better: the SMTPX_PASSWORD environment\n"
		"--             variable, or the prompt\n"
		"--   from, to  envelope addresses\n"
		"--   flag\n"
		"--\n"
		"--   not an option: the paragraph has ended\n");
	auto options = header.options();
	REQUIRE(options.size() == 4);
	CHECK(options[0].name == "server");
	CHECK(options[0].description == "HOST[:PORT] to talk to");
	CHECK(options[1].name == "password");
	CHECK(options[1].description == "AUTH password; better: the SMTPX_PASSWORD environment variable, or the prompt");
	CHECK(options[2].name == "from, to");
	CHECK(options[2].description == "envelope addresses");
	CHECK(options[3].name == "flag");
	CHECK(options[3].description.empty());
}

TEST_CASE("Exit codes get the name of their kind or phase", "[catalog]")
{
	CHECK(smtpx::cli::exitStatus(0) == "ok");
	CHECK(smtpx::cli::exitStatus(1) == "failed");
	CHECK(smtpx::cli::exitStatus(4) == "connect");
	CHECK(smtpx::cli::exitStatus(6) == "timeout");
	CHECK(smtpx::cli::exitStatus(23) == "auth");
	CHECK(smtpx::cli::exitStatus(29) == "partial");
	CHECK(smtpx::cli::exitStatus(30) == "replay");
	CHECK(smtpx::cli::exitStatus(42) == "failed");
}
