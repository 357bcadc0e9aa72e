// HistoryFile: typed lines kept across sessions, private to their owner and bounded.
#include "net/HistoryFile.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace smtpx::net;
namespace fs = std::filesystem;

namespace {

struct TempDir
{
	fs::path path;
	TempDir()
	{
		char name[] = "/tmp/smtpx-history-XXXXXX";
		REQUIRE(::mkdtemp(name));
		path = name;
	}
	~TempDir() { fs::remove_all(path); }
};

std::string contents(const fs::path& file)
{
	std::ifstream in(file);
	std::ostringstream text;
	text << in.rdbuf();
	return text.str();
}

unsigned mode(const fs::path& path)
{
	struct stat info;
	REQUIRE(::stat(path.c_str(), &info) == 0);
	return info.st_mode & 0777;
}

} // namespace

TEST_CASE("the history file and its directories are made private to their owner")
{
	TempDir dir;
	fs::path file = dir.path / "state" / "smtpx" / "history";
	HistoryFile history(file.string(), 10);
	CHECK(history.entries().empty());
	CHECK(mode(file) == 0600);
	CHECK(mode(file.parent_path()) == 0700);
	CHECK(mode(file.parent_path().parent_path()) == 0700);
	history.add("EHLO me");
	history.add("NOOP");
	CHECK(contents(file) == "EHLO me\nNOOP\n");
}

TEST_CASE("an existing history is read back, set to 0600, and cut to its last entries")
{
	TempDir dir;
	fs::path file = dir.path / "history";
	{
		std::ofstream out(file);
		for (int i = 1; i <= 5; ++i) out << "line " << i << "\n";
	}
	fs::permissions(file, fs::perms(0644));
	HistoryFile history(file.string(), 3);
	CHECK(history.entries() == std::deque<std::string>{"line 3", "line 4", "line 5"});
	CHECK(contents(file) == "line 3\nline 4\nline 5\n");
	CHECK(mode(file) == 0600);
	history.add("line 6");
	CHECK(contents(file) == "line 4\nline 5\nline 6\n");
	CHECK_FALSE(fs::exists(file.string() + ".new"));
}

TEST_CASE("a history file that cannot be made is an error naming it")
{
	TempDir dir;
	fs::path blocker = dir.path / "file";
	std::ofstream(blocker) << "x";
	CHECK_THROWS_WITH(HistoryFile((blocker / "history").string(), 10), Catch::Contains((blocker / "history").string()));
}
