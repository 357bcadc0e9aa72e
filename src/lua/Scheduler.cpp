#include "lua/Scheduler.h"

#include "lua/Engine.h"
#include "lua/ScriptError.h"

#include <cstdio>
#include <stdexcept>

namespace smtpx::lua {

Scheduler::Scheduler(report::Transcript& transcript):
	_transcript(transcript)
{
}

Scheduler::RunId Scheduler::spawn(lua_State* L, int nargs, std::string label)
{
	RunId id = _results.size();
	_results.push_back({std::move(label), false, 0, {}});
	_runs.emplace_back();
	lua_State* thread = lua_newthread(L);
	_runs[id].threadRef = luaL_ref(L, LUA_REGISTRYINDEX);  // keeps the coroutine alive while it waits
	lua_xmove(L, thread, nargs + 1);
	_threads.emplace(thread, id);
	// Checked every so many VM instructions: cheap, and it catches loops that never yield.
	lua_sethook(thread, checkBusyLimit, LUA_MASKCOUNT, 100000);
	resume(thread, nargs);
	return id;
}

Scheduler::RunId Scheduler::failBeforeStart(std::string label, int exitCode, std::string message)
{
	RunId id = _results.size();
	_results.push_back({std::move(label), true, exitCode, message});
	_runs.emplace_back();
	logError(id, message);
	if (_onFinish) _onFinish(id);
	return id;
}

void Scheduler::resume(lua_State* thread, int nargs)
{
	int nresults = 0;
	_resumedAt = std::chrono::steady_clock::now();
	int status = lua_resume(thread, nullptr, nargs, &nresults);
	if (status == LUA_YIELD)
	{
		lua_pop(thread, nresults);
		return;
	}
	finish(thread, status, nresults);
}

Scheduler::RunId Scheduler::runOf(lua_State* thread) const
{
	auto found = _threads.find(thread);
	if (found == _threads.end())
		throw std::logic_error("this call waits on the event loop and cannot be made from a coroutine the script created");
	return found->second;
}

std::size_t Scheduler::addCloser(RunId run, std::function<void()> closer)
{
	std::size_t key = _nextCloserKey++;
	_runs.at(run).closers.emplace(key, std::move(closer));
	return key;
}

void Scheduler::removeCloser(RunId run, std::size_t key)
{
	if (run < _runs.size()) _runs[run].closers.erase(key);
}

void Scheduler::finish(lua_State* thread, int status, int nresults)
{
	RunId id = _threads.at(thread);
	RunResult& result = _results[id];
	if (status == LUA_OK)
	{
		// A script may return an exit code, or false for a plain failure.
		if (nresults > 0 && lua_isinteger(thread, -nresults))
			result.exitCode = static_cast<int>(lua_tointeger(thread, -nresults));
		else if (nresults > 0 && lua_isboolean(thread, -nresults) && !lua_toboolean(thread, -nresults))
			result.exitCode = exit_code::kFailure;
	}
	else
	{
		Failure failure = describeError(thread, -1);
		result.exitCode = failure.exitCode;
		result.error = failure.message;
		logError(id, failure.message);
	}
	result.finished = true;
	auto closers = std::move(_runs[id].closers);
	_runs[id].closers.clear();
	for (auto& [key, closer] : closers) closer();
	_threads.erase(thread);
	lua_State* main = thread;  // any thread reaches the shared registry
	luaL_unref(main, LUA_REGISTRYINDEX, _runs[id].threadRef);
	_runs[id].threadRef = LUA_NOREF;
	if (_onFinish) _onFinish(id);
}

void Scheduler::checkBusyLimit(lua_State* L, lua_Debug*)
{
	Scheduler& self = Engine::of(L).scheduler();
	double busy = std::chrono::duration<double>(std::chrono::steady_clock::now() - self._resumedAt).count();
	if (busy <= self._busyLimit) return;
	char message[160];
	std::snprintf(message, sizeof message,
		"the script computed for %.1f s without waiting on the network (limit %g s: --busy-limit)", busy, self._busyLimit);
	raiseError(L, "limit", message);
}

void Scheduler::logError(RunId run, const std::string& message)
{
	_transcript.write(_results[run].label, 0.0, report::LineKind::Error, false, message);
}

} // namespace smtpx::lua
