// UserConfig: the user's defaults file is read as key = value lines, turned into `smtpx run`
// arguments placed before the command line's, and malformed lines name the file and line.
#include "cli/UsageError.h"
#include "cli/UserConfig.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

using smtpx::cli::UsageError;
using smtpx::cli::UserConfig;
using Args = std::vector<std::string>;

namespace {

UserConfig parsed(const std::string& text)
{
	std::istringstream in(text);
	return UserConfig::parse(in, "config");
}

} // namespace

TEST_CASE("Lines are key = value, blanks and comments skipped, values may hold '#'", "[config]")
{
	auto config = parsed("# defaults\n\n  from = me@example.com  \nauth_user=bob\n\tpassword = a#b=c\n");
	std::vector<std::pair<std::string, std::string>> expected{
		{"from", "me@example.com"}, {"auth_user", "bob"}, {"password", "a#b=c"}};
	CHECK(config.entries() == expected);
}

TEST_CASE("server, timeout and params become run arguments, before the command line's", "[config]")
{
	auto config = parsed("server = 127.0.0.1:2525\ntimeout = 5\nfrom = me@example.com\n");
	CHECK(config.argumentsBefore({"send_plain"}) ==
		Args{"--server", "127.0.0.1:2525", "--timeout", "5", "--set", "from=me@example.com"});
}

TEST_CASE("A command line that names servers leaves the config's server out", "[config]")
{
	auto config = parsed("server = a.example\nhelo = me\n");
	Args expected{"--set", "helo=me"};
	CHECK(config.argumentsBefore({"x.lua", "--server", "b.example"}) == expected);
	CHECK(config.argumentsBefore({"x.lua", "--servers", "list.txt"}) == expected);
	CHECK(config.argumentsBefore({"x.lua", "--set", "server=b.example"}) == expected);
	CHECK(config.argumentsBefore({"x.lua", "--set", "helo=server=x"}).size() == 4);
}

TEST_CASE("Malformed lines are usage errors naming the file and line", "[config]")
{
	CHECK_THROWS_WITH(parsed("from = a\njust words\n"), Catch::Contains("config:2:") && Catch::Contains("KEY = VALUE"));
	CHECK_THROWS_AS(parsed("= value\n"), UsageError);
	CHECK_THROWS_AS(parsed("from =\n"), UsageError);
	CHECK_THROWS_WITH(parsed("timeout = soon\n"), Catch::Contains("config:1:") && Catch::Contains("positive number"));
	CHECK_THROWS_AS(parsed("timeout = 0\n"), UsageError);
	CHECK_THROWS_AS(parsed("timeout = 5s\n"), UsageError);
	CHECK_THROWS_WITH(parsed("\nserver = mx.example.org:smtp\n"), Catch::Contains("config:2:") && Catch::Contains("server"));
}

TEST_CASE("SMTPX_CONFIG names the file, which must exist; the default file may be missing", "[config]")
{
	char dir[] = "/tmp/smtpx-config-XXXXXX";
	REQUIRE(mkdtemp(dir) != nullptr);
	std::string path = std::string(dir) + "/config";
	std::ofstream(path) << "to = you@example.com\n";

	setenv("SMTPX_CONFIG", path.c_str(), 1);
	CHECK(UserConfig::load().argumentsBefore({}) == Args{"--set", "to=you@example.com"});
	setenv("SMTPX_CONFIG", (path + ".missing").c_str(), 1);
	CHECK_THROWS_AS(UserConfig::load(), UsageError);

	unsetenv("SMTPX_CONFIG");
	setenv("XDG_CONFIG_HOME", dir, 1);  // no smtpx/config below it
	CHECK(UserConfig::load().entries().empty());
	unsetenv("XDG_CONFIG_HOME");

	std::remove(path.c_str());
	rmdir(dir);
}
