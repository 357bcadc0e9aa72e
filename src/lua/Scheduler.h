// Scheduler: runs each script as a Lua coroutine. A binding that must wait (connect, expect,
// sleep) records which thread waits and yields; the event loop later pushes the outcome onto that
// thread and calls resume(). The script reads as plain blocking code.
#pragma once

#include "lua/LuaHeaders.h"
#include "report/Transcript.h"

#include <chrono>
#include <functional>
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
};

class Scheduler
{
public:
	using RunId = std::size_t;

	explicit Scheduler(report::Transcript& transcript);

	// The longest a script may compute without waiting (an endless loop never yields, so the
	// event loop would stop for every session): past it the script fails with kind "limit".
	void setBusyLimit(double seconds) { _busyLimit = seconds; }

	// Moves the function and its `nargs` arguments from the top of L's stack into a new coroutine
	// and runs it until it first waits or ends.
	RunId spawn(lua_State* L, int nargs, std::string label);

	// Records a run that could not start (its script did not load).
	RunId failBeforeStart(std::string label, int exitCode, std::string message);

	// Continues a waiting thread with the `nargs` values already pushed onto it.
	void resume(lua_State* thread, int nargs);

	// The run a thread executes; throws std::logic_error when the thread is no run's coroutine
	// (a coroutine the script made itself cannot wait on the event loop).
	RunId runOf(lua_State* thread) const;

	// Called when the run ends, before its result is final (e.g. to close sessions it left open).
	// The returned key removes the closer again.
	std::size_t addCloser(RunId run, std::function<void()> closer);
	void removeCloser(RunId run, std::size_t key);

	// Called after each run has ended and its result is final.
	void setOnFinish(std::function<void(RunId)> onFinish) { _onFinish = std::move(onFinish); }

	const std::vector<RunResult>& results() const { return _results; }
	std::size_t running() const { return _threads.size(); }

private:
	struct Run
	{
		int threadRef = LUA_NOREF;
		std::unordered_map<std::size_t, std::function<void()>> closers;
	};

	void finish(lua_State* thread, int status, int nresults);
	static void checkBusyLimit(lua_State* L, lua_Debug* ar);
	void logError(RunId run, const std::string& message);

	report::Transcript& _transcript;
	std::vector<RunResult> _results;
	std::vector<Run> _runs;
	std::unordered_map<lua_State*, RunId> _threads;
	std::size_t _nextCloserKey = 1;
	std::function<void(RunId)> _onFinish;
	double _busyLimit = 10.0;
	std::chrono::steady_clock::time_point _resumedAt;
};

} // namespace smtpx::lua
