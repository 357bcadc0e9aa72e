// Scheduler: runs each script as Lua coroutines. A binding that must wait (connect, expect,
// sleep, join) records which thread waits and calls wait(); the event loop later pushes the
// outcome onto that thread and calls resume(). The script reads as plain blocking code.
//
// Each task runs on a Fiber, a C stack of its own: a wait switches back to whoever resumed the
// task, and resume() switches into it again. lua_yield would do the same job, but in Lua built
// as C++ it is a C++ throw, about 30,000 instructions, paid on every reply by every session;
// a switch costs some twenty. So, as across a yield, a waiting binding keeps no owning C++
// locals: a task dropped while it waits (its run failed, the engine ended) is never unwound.
//
// A run is one execution of a script (one per --server). It starts with one task, its main
// chunk; smtp.spawn adds tasks to the same run. The run ends when all its tasks have ended.
#pragma once

#include "lua/BusyWatch.h"
#include "lua/Fiber.h"
#include "lua/ScriptError.h"
#include "lua/LuaHeaders.h"
#include "net/EventLoop.h"
#include "report/Transcript.h"

#include <Poco/Dynamic/Var.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace smtpx::lua {

struct RunResult
{
	std::string label;
	bool finished = false;
	int exitCode = 0;
	std::string error;  // empty on success
	Poco::Dynamic::Var value;  // a table the script returned, as data (see LuaData.h); else empty
};

class Scheduler
{
public:
	using RunId = std::size_t;

	// A coroutine the script makes checks the busy limit every so many VM instructions (the
	// BusyWatch knows when tasks run, not when coroutines inside them do).
	static constexpr int kBusyCheckInstructions = 100000;

	// `busyLimit`: the longest a script may compute without waiting, in seconds (an endless
	// loop never waits, so the event loop would stop for every session); past it the script
	// fails with kind "limit".
	Scheduler(net::EventLoop& loop, report::Transcript& transcript, double busyLimit);

	// Replaces coroutine.create and coroutine.wrap of L's state with ones whose coroutines check
	// the busy limit.
	static void checkBusyLimitInCoroutines(lua_State* L);

	// Moves the function and its `nargs` arguments from the top of L's stack into a new run's
	// main coroutine and runs it until it first waits or ends. A run whose task gets no stack
	// ends at once with exit code kLimit.
	RunId spawn(lua_State* L, int nargs, std::string label);

	// Moves the function and its `nargs` arguments from the top of task L's stack into a new
	// task of L's run, started from the loop; pushes the task's thread (its handle) onto L.
	// Throws Fiber::StackUnavailable.
	void spawnTask(lua_State* L, int nargs);

	// When the task at `taskIndex` of L's stack has ended, pushes its results onto L and returns
	// their count, or raises its error in L. Otherwise records L as waiting for it and returns -1
	// (the caller waits; it is resumed with the task's outcome table, see pushOutcome).
	int join(lua_State* L, int taskIndex);

	// Records a run that could not start (its script did not load).
	RunId failBeforeStart(std::string label, int exitCode, std::string message);

	// Continues a waiting thread with the `nargs` values already pushed onto it (or starts a new
	// task with its arguments), until it waits again or ends.
	void resume(lua_State* thread, int nargs);

	// Waits for the event the caller has just arranged to resume L with (a reply, a timer...):
	// what a C function returns instead of lua_yieldk(L, 0, ctx, k), with the same meaning.
	// Suspends L's fiber; once resumed, returns k(L, LUA_YIELD, ctx), or without k the count
	// of values resume() was given.
	int wait(lua_State* L, lua_KContext ctx = 0, lua_KFunction k = nullptr);

	// The run a thread executes; throws std::logic_error when the thread is no task
	// (a coroutine the script made itself cannot wait on the event loop).
	RunId runOf(lua_State* thread) const;

	// runOf() for a call that is about to wait: also throws std::logic_error when the thread
	// cannot wait there (inside a metamethod or string.gsub's function, say), before the call
	// arranges anything that would resume it.
	RunId runOfWaiter(lua_State* thread) const;

	// Called when the run ends (or its main task fails), e.g. to close sessions it left open.
	// The returned key removes the closer again.
	std::size_t addCloser(RunId run, std::function<void()> closer);
	void removeCloser(RunId run, std::size_t key);

	// Called after each run has ended and its result is final.
	void setOnFinish(std::function<void(RunId)> onFinish) { _onFinish = std::move(onFinish); }

	const std::vector<RunResult>& results() const { return _results; }

	// How many times a task has waited so far.
	std::size_t waits() const { return _waits; }

	// Pushes the values in a task outcome table {ok=, n=, ...} onto L, or raises its error.
	static int pushOutcome(lua_State* L, int outcomeIndex);

private:
	struct Task
	{
		RunId run = 0;
		lua_State* thread = nullptr;
		std::unique_ptr<Fiber> fiber;
		int resumeArgs = 0;  // the values resume() pushed for the task to take
		int status = LUA_OK;  // lua_resume's outcome once the fiber has finished
		int nresults = 0;
		int threadRef = LUA_NOREF;
		bool isMain = false;
		bool joined = false;
		std::vector<lua_State*> joiners;
	};
	struct Run
	{
		std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
		std::size_t liveTasks = 0;
		std::unordered_map<std::size_t, std::function<void()>> closers;
	};

	// Throws Fiber::StackUnavailable, having made nothing.
	lua_State* newTask(lua_State* L, int nargs, RunId run, bool isMain);
	void endBeforeStart(RunId run, int exitCode, std::string message);
	void finish(lua_State* thread, int status, int nresults);
	void finishMain(RunId run, lua_State* thread, int status, int nresults);
	// Keeps an ended task's outcome, {ok=, n=, [1..n]=results} or {ok=false, n=1, error}, where
	// join finds it, and pushes it onto each joiner.
	void keepOutcome(lua_State* thread, RunId run, bool joined, int status, int nresults,
		const std::vector<lua_State*>& joiners);
	void noteTaskFailure(lua_State* thread, RunId run, bool joined);
	// The registry's table of ended tasks' outcomes, weak-keyed by thread.
	static constexpr const char* kEndedOutcomesKey = "smtpx.ended_task_outcomes";
	static void pushEndedOutcomes(lua_State* L);
	void runClosers(RunId run);
	void endRun(RunId run);
	void keepExitCode(lua_State* thread, int index, RunId run);
	void keepReturnedTable(lua_State* thread, int index, RunId run);
	static void checkBusyLimit(lua_State* L, lua_Debug* ar);
	static int createCoroutine(lua_State* L);
	// describeError() of the error on top of the ended task's stack, which may run script code
	// (__tostring), under the busy limit.
	Failure describeTaskError(lua_State* thread);
	static void runScript(void* task);
	void logError(RunId run, const std::string& message);

	net::EventLoop& _loop;
	report::Transcript& _transcript;
	std::vector<RunResult> _results;
	std::vector<Run> _runs;
	std::unordered_map<lua_State*, Task> _tasks;
	std::size_t _nextCloserKey = 1;
	std::function<void(RunId)> _onFinish;
	BusyWatch _busyWatch;
	std::size_t _waits = 0;
};

} // namespace smtpx::lua
