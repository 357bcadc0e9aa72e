// smtp.read_line on piped input (stdin replaced by a pipe the test writes to from the loop): lines
// as they come, a part line kept across timeouts, the last line without its end, nil at the end,
// and one task at a time.
#include "ScriptEngine.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace smtpx;
using namespace std::chrono_literals;

namespace {

// stdin is a pipe while it lives; `write` and `close` feed it.
struct PipedStdin
{
	int writer = -1;
	int savedStdin = ::dup(STDIN_FILENO);

	PipedStdin()
	{
		int fds[2];
		REQUIRE(::pipe(fds) == 0);
		::dup2(fds[0], STDIN_FILENO);
		::close(fds[0]);
		writer = fds[1];
	}
	~PipedStdin()
	{
		closeWriter();
		::dup2(savedStdin, STDIN_FILENO);
		::close(savedStdin);
	}
	void write(const std::string& text) { REQUIRE(::write(writer, text.data(), text.size()) == static_cast<ssize_t>(text.size())); }
	void closeWriter()
	{
		if (writer >= 0) ::close(writer);
		writer = -1;
	}
};

// stdin is the pipe before the engine exists, as when smtpx starts on piped input.
struct WithPipedStdin
{
	PipedStdin input;
};

struct ConsoleFixture : WithPipedStdin, testing::ScriptEngine
{
};

} // namespace

TEST_CASE_METHOD(ConsoleFixture, "read_line takes piped lines as they come, across timeouts, to the end")
{
	loop.startTimer(50ms, [&] { input.write("hel"); });
	loop.startTimer(150ms, [&] { input.write("lo\r\nsec"); });
	loop.startTimer(250ms, [&] { input.write("ond\nlast without its end"); });
	loop.startTimer(350ms, [&] { input.closeWriter(); });
	auto& result = runOne(R"lua(
		local got, timeouts = {}, 0
		while true do
			local line, why = smtp.read_line("> ", { timeout = 0.03 })
			if line then got[#got + 1] = line
			elseif why == "timeout" then timeouts = timeouts + 1
			else break end
		end
		assert(smtp.read_line() == nil, "the end stays the end")
		assert(timeouts > 3, "timeouts: " .. timeouts)
		assert(table.concat(got, "|") == "hello|second|last without its end", table.concat(got, "|"))
		assert(smtp.line_editing == false)
	)lua");
	CHECK(result.error == "");
	CHECK(result.exitCode == 0);
}

TEST_CASE_METHOD(ConsoleFixture, "other tasks and timers go on while a task waits for a line")
{
	loop.startTimer(200ms, [&] { input.write("go\n"); });
	auto& result = runOne(R"lua(
		local ticks = 0
		local ticker = smtp.spawn(function()
			for _ = 1, 5 do smtp.sleep(0.01); ticks = ticks + 1 end
		end)
		assert(smtp.read_line() == "go")
		smtp.join(ticker)
		assert(ticks == 5)
	)lua");
	CHECK(result.error == "");
}

TEST_CASE_METHOD(ConsoleFixture, "one task at a time waits for a line")
{
	loop.startTimer(100ms, [&] { input.closeWriter(); });
	auto& result = runOne(R"lua(
		local first = smtp.spawn(smtp.read_line)
		smtp.sleep(0.01)
		local ok, err = pcall(smtp.read_line)
		assert(not ok and tostring(err):find("another task is waiting"), tostring(err))
		assert(smtp.join(first) == nil)
	)lua");
	CHECK(result.error == "");
}
