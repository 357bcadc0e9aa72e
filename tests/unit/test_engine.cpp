// The Lua engine without a network: scheduling, errors, exit codes, sandbox, and that Lua errors
// unwind C++ destructors (the lua5.4-c++ build).
#include "ScriptEngine.h"
#include "lua/Engine.h"
#include "lua/ScriptError.h"
#include "net/HostResolver.h"

#include <Poco/JSON/Object.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

using namespace smtpx;

namespace {

using EngineFixture = testing::ScriptEngine;

struct Tracker
{
	static inline int alive = 0;
	Tracker() { ++alive; }
	~Tracker() { --alive; }
};

int raiseWithLocal(lua_State* L)
{
	Tracker tracker;
	luaL_error(L, "boom");
	return 0;
}

} // namespace

TEST_CASE_METHOD(EngineFixture, "a script's return value gives the exit code")
{
	CHECK(runOne("return 0").exitCode == 0);
	CHECK(runOne("return 42").exitCode == 42);
	CHECK(runOne("return false").exitCode == lua::exit_code::kFailure);
	CHECK(runOne("local x = 1").exitCode == 0);
}

TEST_CASE_METHOD(EngineFixture, "params reach the script as a table and as ...")
{
	auto& result = runOne("local p = ...\nreturn (params.a == 'x=y' and p.a == 'x=y') and 0 or 1", {{"a", "x=y"}});
	CHECK(result.exitCode == 0);
}

TEST_CASE_METHOD(EngineFixture, "runtime and syntax errors name the file and line")
{
	auto& runtime = runOne("local t = nil\nreturn t.x");
	CHECK(runtime.exitCode == lua::exit_code::kScript);
	CHECK_THAT(runtime.error, Catch::Contains("-script.lua:2:"));
	auto& syntax = runOne("if then");
	CHECK(syntax.exitCode == lua::exit_code::kScript);
	CHECK_THAT(syntax.error, Catch::Contains("-script.lua:1:"));
}

TEST_CASE_METHOD(EngineFixture, "smtp.raise picks the exit code from phase or kind")
{
	CHECK(runOne("smtp.raise('timeout', 'slow')").exitCode == lua::exit_code::kTimeout);
	CHECK(runOne("smtp.raise('expect', 'no', {phase = 'rcpt'})").exitCode == 25);
	auto& explicitCode = runOne("smtp.raise('expect', 'no', {exit = 77})");
	CHECK(explicitCode.exitCode == 77);
	CHECK_THAT(explicitCode.error, Catch::Contains("-script.lua:1: no"));
}

TEST_CASE_METHOD(EngineFixture, "sleeping scripts run concurrently on one loop")
{
	std::string path = writeScript("sleep", "smtp.sleep(0.2)\nreturn 0");
	auto start = std::chrono::steady_clock::now();
	for (int i = 0; i < 20; ++i) engine.startScript(path, {}, "", "run" + std::to_string(i));
	engine.run();
	auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
	REQUIRE(engine.results().size() == 20);
	for (const auto& result : engine.results()) CHECK(result.exitCode == 0);
	CHECK(elapsed >= 0.2);
	CHECK(elapsed < 1.0);  // sequential would be 4 s
}

TEST_CASE_METHOD(EngineFixture, "a name looked up slowly holds up its own task only, within the connect timeout")
{
	// No real name server is slow on demand: this lookup sleeps, on the resolver's helper.
	engine.setResolver(std::make_unique<net::HostResolver>(loop, [](const net::Endpoint& endpoint) {
		std::this_thread::sleep_for(std::chrono::milliseconds(endpoint.host == "slow.example" ? 2000 : 100));
		return net::HostResolver::Addresses{Poco::Net::SocketAddress("192.0.2.1", endpoint.port)};
	}));
	auto result = runForTable(
		"local started = smtp.now()\n"
		"local napped\n"
		"local sleeper = smtp.spawn(function() smtp.sleep(0.05) napped = smtp.now() - started end)\n"
		"local found = smtp.resolve('quick.example')\n"
		"local resolved = smtp.now() - started\n"
		"local ok, err = pcall(smtp.connect, 'slow.example:25', {connect_timeout = 0.3})\n"
		"smtp.join(sleeper)\n"
		"local failed = smtp.now() - started\n"
		"local _, late = pcall(smtp.resolve, 'slow.example', 0.2)\n"
		"local negative = select(2, pcall(smtp.resolve, 'quick.example', -1))\n"
		"return { napped = napped, resolved = resolved, found = found[1], failed = failed,\n"
		"         ok = ok, kind = err.kind, message = err.message, late = late.message, negative = negative }");
	CHECK(result->getValue<double>("napped") < 0.09);  // the sleeper woke while the name was looked up
	CHECK(result->getValue<double>("resolved") >= 0.1);
	CHECK(result->getValue<std::string>("found") == "192.0.2.1");
	CHECK_FALSE(result->getValue<bool>("ok"));
	CHECK(result->getValue<std::string>("kind") == "connect");
	CHECK(result->getValue<std::string>("message") == "cannot resolve host name 'slow.example': no answer within 0.3 s");
	CHECK(result->getValue<double>("failed") < 1.0);  // the timeout, not the 2 s lookup
	CHECK(result->getValue<std::string>("late") == "cannot resolve host name 'slow.example': no answer within 0.2 s");
	CHECK_THAT(result->getValue<std::string>("negative"), Catch::Contains("must not be negative"));
}

TEST_CASE_METHOD(EngineFixture, "every wait suspends the task and ends when its timer fires")
{
	// A lone task: each sleep must end on time, not at the loop's next idle poll (a second later).
	auto loneStats = runForTable(
		"local before = smtp.process_stats()\n"
		"local started = smtp.now()\n"
		"for _ = 1, 4 do smtp.sleep(0.01) end\n"
		"local after = smtp.process_stats()\n"
		"return { seconds = smtp.now() - started, waits = after.waits - before.waits }");
	CHECK(loneStats->getValue<int>("waits") == 4);
	CHECK(loneStats->getValue<double>("seconds") < 0.5);

	// Two tasks sleeping at once: each task's sleeps overlap the other's.
	auto pairStats = runForTable(
		"local before = smtp.process_stats()\n"
		"local started = smtp.now()\n"
		"local function nap() for _ = 1, 3 do smtp.sleep(0.1) end return 'rested' end\n"
		"local a, b = smtp.spawn(nap), smtp.spawn(nap)\n"
		"local ra, rb = smtp.join(a), smtp.join(b)\n"
		"local after = smtp.process_stats()\n"
		"return { seconds = smtp.now() - started, waits = after.waits - before.waits, results = ra .. rb }");
	CHECK(pairStats->getValue<int>("waits") == 8);  // 3 sleeps each, and the two joins
	CHECK(pairStats->getValue<std::string>("results") == "restedrested");
	CHECK(pairStats->getValue<double>("seconds") < 0.55);  // in turn would be 0.6 s
}

TEST_CASE_METHOD(EngineFixture, "a task's C++ frames keep their values across waits")
{
	// Thirty tasks that interleave, each building a result across twenty waits: every frame of
	// every fiber must come back intact.
	lua::RunResult result = runOne(
		"local function work(n) local t = {} for i = 1, 20 do t[i] = i * n smtp.sleep(0) end return table.concat(t, ',') end\n"
		"local tasks = {}\n"
		"for n = 1, 30 do tasks[n] = smtp.spawn(work, n) end\n"
		"for n = 1, 30 do\n"
		"  local expected = {} for i = 1, 20 do expected[i] = i * n end\n"
		"  assert(smtp.join(tasks[n]) == table.concat(expected, ','), 'task ' .. n)\n"
		"end\n"
		"return 0");
	INFO(result.error);
	CHECK(result.exitCode == 0);
}

TEST_CASE_METHOD(EngineFixture, "coroutine.yield outside a coroutine the script made is an error naming the line")
{
	auto& result = runOne("smtp.sleep(0)\ncoroutine.yield(1)\nreturn 0");
	CHECK(result.exitCode == lua::exit_code::kScript);
	CHECK_THAT(result.error, Catch::Contains(":2: coroutine.yield outside a coroutine the script created"));
}

TEST_CASE_METHOD(EngineFixture, "a task cannot wait inside a C call")
{
	auto& result = runOne("smtp.sleep(0.01)\nstring.gsub('x', 'x', function() smtp.sleep(0.01) end)\nreturn 0");
	CHECK(result.exitCode == lua::exit_code::kScript);
	CHECK_THAT(result.error, Catch::Contains("cannot be made inside a C call"));
}

TEST_CASE_METHOD(EngineFixture, "each run has its own globals")
{
	std::string path = writeScript("globals", "assert(shared == nil)\nshared = true\nsmtp.sleep(0.01)\nreturn 0");
	engine.startScript(path, {}, "", "a");
	engine.startScript(path, {}, "", "b");
	engine.run();
	CHECK(engine.results()[0].exitCode == 0);
	CHECK(engine.results()[1].exitCode == 0);
}

TEST_CASE_METHOD(EngineFixture, "a waiting call from a script-made coroutine is an error, not a crash")
{
	auto& result = runOne("local co = coroutine.wrap(function() smtp.sleep(0.01) end)\nco()");
	CHECK(result.exitCode == lua::exit_code::kScript);
	CHECK_THAT(result.error, Catch::Contains("cannot be made from a coroutine the script created"));
}

TEST_CASE("Lua errors unwind C++ destructors (Lua built as C++)")
{
	lua_State* L = luaL_newstate();
	lua_pushcfunction(L, raiseWithLocal);
	CHECK(lua_pcall(L, 0, 0, 0) == LUA_ERRRUN);
	CHECK(Tracker::alive == 0);
	lua_close(L);
}

TEST_CASE("the sandbox removes process, file-writing and binary-chunk functions")
{
	std::ostringstream console;
	report::Transcript transcript{console, {}};
	net::EventLoop loop;
	lua::Engine engine{loop, transcript, EngineFixture::settings(true)};
	std::string path = "/tmp/smtpx-unit-sandbox.lua";
	std::ofstream(path) << "assert(os.execute == nil and io.popen == nil and io.open == nil)\n"
		"assert(not load(string.dump(function() end)))\nreturn 0";
	engine.startScript(path, {}, "", "");
	engine.run();
	CHECK(engine.results().back().exitCode == 0);
	CHECK(engine.results().back().error.empty());
}

namespace {

// An engine whose busy limit is 0.2 s (a tick of its timer every 50 ms).
struct BusyLimitEngine: EngineFixture
{
	BusyLimitEngine(): EngineFixture(withBusyLimit(0.2)) {}

	static lua::EngineSettings withBusyLimit(double seconds)
	{
		auto s = settings();
		s.busyLimit = seconds;
		return s;
	}

	// runOne(code), and how long it took.
	const lua::RunResult& runTimed(const std::string& code)
	{
		auto start = std::chrono::steady_clock::now();
		const lua::RunResult& result = runOne(code);
		seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
		return result;
	}

	double seconds = 0;
};

} // namespace

TEST_CASE_METHOD(BusyLimitEngine, "an endless loop is stopped by the busy limit with a clear message")
{
	auto& result = runTimed("smtp.sleep(0.01)\nwhile true do end\n");
	CHECK(result.exitCode == lua::exit_code::kLimit);
	CHECK_THAT(result.error, Catch::Contains("-script.lua:2:"));
	CHECK_THAT(result.error, Catch::Contains("computed for 0.2 s without waiting on the network"));
	CHECK(seconds < 1.0);
}

TEST_CASE_METHOD(BusyLimitEngine, "the busy limit stops a loop in a coroutine the script made with coroutine.create")
{
	auto& result = runTimed("local co = coroutine.create(function()\n  while true do end\nend)\n"
		"while true do coroutine.resume(co) end\n");
	CHECK(result.exitCode == lua::exit_code::kLimit);
	CHECK_THAT(result.error, Catch::Contains("without waiting on the network"));
	CHECK(seconds < 1.0);
}

TEST_CASE_METHOD(BusyLimitEngine, "the busy limit counts from the last wait, and its ticks do not cut waits short")
{
	// Five stretches of 0.12 s of computing, 0.6 s in all, each followed by a wait.
	auto& result = runOne("for _ = 1, 5 do\n"
		"  local start = smtp.now()\n"
		"  while smtp.now() - start < 0.12 do end\n"
		"  smtp.sleep(0.01)\n"
		"end\n"
		"local start = smtp.now()\n"
		"smtp.sleep(0.5)\n"
		"return smtp.now() - start >= 0.5 and 0 or 1\n");
	CHECK(result.error == "");
	CHECK(result.exitCode == 0);
}

TEST_CASE_METHOD(EngineFixture, "tasks run without a hook; the script's coroutines check the busy limit themselves")
{
	// A count hook makes Lua trace every instruction: tasks are watched from outside instead.
	auto& result = runOne(R"(
		assert(debug.gethook() == nil, "a task has a hook")
		local task = smtp.spawn(function() return debug.gethook() end)
		assert(smtp.join(task) == nil, "a spawned task has a hook")
		local co = coroutine.create(function() end)
		local hook, mask, count = debug.gethook(co)
		assert(hook and mask == "" and count == 100000, "a coroutine has no count hook")
		local wrapped = coroutine.wrap(function() return select(3, debug.gethook()) end)
		assert(wrapped() == 100000, "a wrapped coroutine has no count hook")
		assert(debug.gethook() == nil, "making a coroutine left a hook on its creator")
		local ok, message = pcall(coroutine.create, 42)
		assert(not ok and message:find("bad argument #1 to 'coroutine.create'", 1, true), message)
		return 0
	)");
	CHECK(result.error == "");
	CHECK(result.exitCode == 0);
}

TEST_CASE_METHOD(EngineFixture, "smtp.spawn runs tasks concurrently and smtp.join returns their results")
{
	auto start = std::chrono::steady_clock::now();
	auto& result = runOne(R"(
		local tasks = {}
		for i = 1, 10 do
			tasks[i] = smtp.spawn(function(n) smtp.sleep(0.2); return n * 2, "x" end, i)
		end
		local sum = 0
		for i = 1, 10 do
			local doubled, tag = smtp.join(tasks[i])
			assert(tag == "x")
			sum = sum + doubled
		end
		assert(select(1, smtp.join(tasks[1])) == 2, "joining twice gives the same results")
		return sum == 110 and 0 or 1
	)");
	auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
	CHECK(result.exitCode == 0);
	CHECK(result.error.empty());
	CHECK(elapsed < 1.0);  // ten 0.2 s sleeps in sequence would take 2 s
}

TEST_CASE_METHOD(EngineFixture, "a task's error is raised by join, and fails the run when nobody joins")
{
	auto& joined = runOne(R"(
		local t = smtp.spawn(function() smtp.raise("timeout", "slow task") end)
		local ok, err = pcall(smtp.join, t)
		return (not ok and err.kind == "timeout") and 0 or 1
	)");
	CHECK(joined.exitCode == 0);
	auto& unjoined = runOne(R"(
		smtp.spawn(function() smtp.sleep(0.01); smtp.raise("expect", "no", {phase = "rcpt"}) end)
		return 0
	)");
	CHECK(unjoined.exitCode == 25);
	CHECK_THAT(unjoined.error, Catch::Contains("no"));
}

TEST_CASE_METHOD(EngineFixture, "an ended task is joined from its handle, and freed with it")
{
	// Joined after it ended: the outcome stays while the script holds the handle.
	auto& late = runOne(R"(
		local good = smtp.spawn(function() return "done" end)
		local bad = smtp.spawn(function() smtp.raise("timeout", "slow task") end)
		smtp.sleep(0.01)
		assert(coroutine.status(good) == "dead")
		local ok, err = pcall(smtp.join, bad)
		assert(not ok and err.kind == "timeout", "the late join raises the task's error")
		return smtp.join(good) == "done" and 0 or 1
	)");
	INFO(late.error);
	CHECK(late.exitCode == 0);

	// Rounds of tasks whose handles go: the run keeps nothing of them (it kept every ended task
	// until the run ended, about 1.5 KiB each: 14 MiB a round of 10,000 sessions in bench/hold.lua).
	auto rounds = runForTable(R"(
		local function round()
			local tasks = {}
			for i = 1, 2000 do tasks[i] = smtp.spawn(function() smtp.sleep(0) return i end) end
			for i = 1, 2000 do assert(smtp.join(tasks[i]) == i) end
		end
		round()
		collectgarbage() collectgarbage()
		local first = collectgarbage("count")
		for _ = 1, 4 do round() end
		collectgarbage() collectgarbage()
		return { growth_kib = collectgarbage("count") - first }
	)");
	CHECK(rounds->getValue<double>("growth_kib") < 100);
}

TEST_CASE_METHOD(EngineFixture, "tasks whose handles are dropped end safely while the collector runs all the time")
{
	// An ended task's thread, results and outcome are collected as soon as the script has let go
	// of its handle, here with a collection running at every allocation (AddressSanitizer in CI
	// watches that nothing is used after it is freed).
	auto& result = runOne(R"(
		collectgarbage("incremental", 0, 1000)
		for i = 1, 300 do
			smtp.spawn(function()
				local t = {}
				for j = 1, 50 do t[j] = { j, tostring(j) } end
				return t, i
			end)
		end
		smtp.sleep(0.05)
		collectgarbage()
		return 0
	)");
	INFO(result.error);
	CHECK(result.exitCode == 0);
}

TEST_CASE_METHOD(EngineFixture, "the run ends only when its last task has ended")
{
	auto& result = runOne(R"(
		done = false
		smtp.spawn(function() smtp.sleep(0.1); done = true end)
		return 0
	)");
	CHECK(result.exitCode == 0);
	CHECK(result.finished);
}
