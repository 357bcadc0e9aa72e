#include "lua/Scheduler.h"

#include "lua/Engine.h"
#include "lua/LuaData.h"
#include "lua/ScriptError.h"

#include <cstdio>
#include <stdexcept>

namespace smtpx::lua {

Scheduler::Scheduler(net::EventLoop& loop, report::Transcript& transcript, double busyLimit):
	_loop(loop),
	_transcript(transcript),
	_busyWatch(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(busyLimit)),
		checkBusyLimit, kBusyCheckInstructions)
{
}

lua_State* Scheduler::newTask(lua_State* L, int nargs, RunId run, bool isMain)
{
	lua_State* thread = lua_newthread(L);
	Task task;
	task.run = run;
	task.thread = thread;
	task.threadRef = luaL_ref(L, LUA_REGISTRYINDEX);  // keeps the coroutine alive while it waits
	task.isMain = isMain;
	lua_xmove(L, thread, nargs + 1);
	auto kept = _tasks.emplace(thread, std::move(task)).first;
	try
	{
		kept->second.fiber = std::make_unique<Fiber>(&Scheduler::runScript, &kept->second);
	}
	catch (const Fiber::StackUnavailable&)
	{
		luaL_unref(L, LUA_REGISTRYINDEX, kept->second.threadRef);
		_tasks.erase(kept);
		throw;
	}
	++_runs[run].liveTasks;
	return thread;
}

Scheduler::RunId Scheduler::spawn(lua_State* L, int nargs, std::string label)
{
	RunId id = _results.size();
	_results.push_back({std::move(label), false, 0, {}, {}});
	_runs.emplace_back();
	lua_State* thread = nullptr;
	try
	{
		thread = newTask(L, nargs, id, true);
	}
	catch (const Fiber::StackUnavailable& e)
	{
		endBeforeStart(id, exit_code::kLimit, e.what());
		return id;
	}
	resume(thread, nargs);
	return id;
}

void Scheduler::spawnTask(lua_State* L, int nargs)
{
	RunId run = runOf(L);
	lua_State* thread = newTask(L, nargs, run, false);
	lua_pushthread(thread);
	lua_xmove(thread, L, 1);
	// Started from the loop, so the spawning task runs on until it waits.
	_loop.defer([this, thread, nargs] { resume(thread, nargs); });
}

int Scheduler::join(lua_State* L, int taskIndex)
{
	auto found = _tasks.find(lua_tothread(L, taskIndex));
	if (found != _tasks.end() && !found->second.isMain)
	{
		runOfWaiter(L);
		found->second.joined = true;
		found->second.joiners.push_back(L);
		return -1;
	}
	pushEndedOutcomes(L);
	lua_pushvalue(L, taskIndex);
	lua_rawget(L, -2);
	if (lua_isnil(L, -1)) throw std::invalid_argument("join: not a task made by smtp.spawn in this run");
	lua_remove(L, -2);
	return pushOutcome(L, lua_gettop(L));
}

void Scheduler::pushEndedOutcomes(lua_State* L)
{
	if (lua_getfield(L, LUA_REGISTRYINDEX, kEndedOutcomesKey) == LUA_TTABLE) return;
	lua_pop(L, 1);
	lua_createtable(L, 0, 0);
	lua_createtable(L, 0, 1);
	lua_pushliteral(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_pushvalue(L, -1);
	lua_setfield(L, LUA_REGISTRYINDEX, kEndedOutcomesKey);
}

int Scheduler::pushOutcome(lua_State* L, int outcomeIndex)
{
	outcomeIndex = lua_absindex(L, outcomeIndex);
	lua_getfield(L, outcomeIndex, "ok");
	bool ok = lua_toboolean(L, -1);
	lua_pop(L, 1);
	if (!ok)
	{
		lua_rawgeti(L, outcomeIndex, 1);
		lua_error(L);
	}
	lua_getfield(L, outcomeIndex, "n");
	int n = static_cast<int>(lua_tointeger(L, -1));
	lua_pop(L, 1);
	luaL_checkstack(L, n, "too many task results");
	for (int i = 1; i <= n; ++i) lua_rawgeti(L, outcomeIndex, i);
	return n;
}

Scheduler::RunId Scheduler::failBeforeStart(std::string label, int exitCode, std::string message)
{
	RunId id = _results.size();
	_results.push_back({std::move(label), false, 0, {}, {}});
	_runs.emplace_back();
	endBeforeStart(id, exitCode, std::move(message));
	return id;
}

void Scheduler::endBeforeStart(RunId run, int exitCode, std::string message)
{
	RunResult& result = _results[run];
	result.finished = true;
	result.exitCode = exitCode;
	result.error = std::move(message);
	logError(run, result.error);
	if (_onFinish) _onFinish(run);
}

int Scheduler::wait(lua_State* L, lua_KContext ctx, lua_KFunction k)
{
	Task& task = _tasks.at(L);
	++_waits;
	task.fiber->suspend();
	return k ? k(L, LUA_YIELD, ctx) : task.resumeArgs;
}

void Scheduler::resume(lua_State* thread, int nargs)
{
	Task& task = _tasks.at(thread);
	task.resumeArgs = nargs;
	{
		// A task may resume another (closing a session wakes its readers): the outer one's busy
		// time goes on when the inner one waits.
		BusyWatch::Running running(_busyWatch, thread);
		Engine& engine = Engine::of(thread);
		bool wasEnforced = engine.enforceMemoryLimit(true);
		task.fiber->resume();
		engine.enforceMemoryLimit(wasEnforced);
	}
	if (!task.fiber->finished()) return;
	task.fiber.reset();
	finish(thread, task.status, task.nresults);
}

// A task's fiber runs this once: the script from its first line to its end.
void Scheduler::runScript(void* taskPointer)
{
	Task& task = *static_cast<Task*>(taskPointer);
	lua_State* thread = task.thread;
	task.status = lua_resume(thread, nullptr, task.resumeArgs, &task.nresults);
	if (task.status != LUA_YIELD) return;
	// Nothing would ever resume it: waits do not yield, so only the script's own
	// coroutine.yield outside a coroutine it made gets here.
	lua_pop(thread, task.nresults);
	luaL_where(thread, 1);
	lua_pushliteral(thread, "coroutine.yield outside a coroutine the script created");
	lua_concat(thread, 2);
	task.status = LUA_ERRRUN;
	task.nresults = 1;
}

Scheduler::RunId Scheduler::runOf(lua_State* thread) const
{
	auto found = _tasks.find(thread);
	if (found == _tasks.end())
		throw std::logic_error("this call waits on the event loop and cannot be made from a coroutine the script created");
	return found->second.run;
}

Scheduler::RunId Scheduler::runOfWaiter(lua_State* thread) const
{
	RunId run = runOf(thread);
	if (!lua_isyieldable(thread))
		throw std::logic_error("this call waits on the event loop and cannot be made inside a C call "
			"(a metamethod, or a function string.gsub or table.sort calls)");
	return run;
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

// An ended task leaves the scheduler at once: only its outcome stays, for smtp.join, for as long
// as the script keeps the task's handle.
void Scheduler::finish(lua_State* thread, int status, int nresults)
{
	auto found = _tasks.find(thread);
	RunId run = found->second.run;
	bool isMain = found->second.isMain;
	bool joined = found->second.joined;
	int threadRef = found->second.threadRef;
	std::vector<lua_State*> joiners = std::move(found->second.joiners);
	_tasks.erase(found);
	if (isMain)
		finishMain(run, thread, status, nresults);
	else
		keepOutcome(thread, run, joined, status, nresults, joiners);
	lua_settop(thread, 0);  // an empty stack: coroutine.status says "dead", the results are let go
	// Let go last, once nothing above works on the thread any more.
	luaL_unref(thread, LUA_REGISTRYINDEX, threadRef);
	for (lua_State* joiner : joiners) resume(joiner, 1);
	if (--_runs[run].liveTasks == 0) endRun(run);
}

void Scheduler::finishMain(RunId run, lua_State* thread, int status, int nresults)
{
	RunResult& result = _results[run];
	if (status == LUA_OK)
	{
		// A script may return an exit code, false for a plain failure, or a table of results
		// for the C++ code that started it (smtpx check).
		if (nresults > 0 && lua_isinteger(thread, -nresults))
			keepExitCode(thread, -nresults, run);
		else if (nresults > 0 && lua_isboolean(thread, -nresults) && !lua_toboolean(thread, -nresults))
			result.exitCode = exit_code::kFailure;
		else if (nresults > 0 && lua_istable(thread, -nresults))
			keepReturnedTable(thread, -nresults, run);
		return;
	}
	Failure failure = describeTaskError(thread);
	if (status == LUA_ERRMEM)
		failure = {exit_code::kLimit, "the scripts used all the Lua memory they may (--memory-limit)"};
	result.exitCode = failure.exitCode;
	result.error = failure.message;
	logError(run, failure.message);
	// Close the run's sessions now, so tasks still waiting on them end instead of running on.
	runClosers(run);
}

void Scheduler::keepOutcome(lua_State* thread, RunId run, bool joined, int status, int nresults,
	const std::vector<lua_State*>& joiners)
{
	bool ok = status == LUA_OK;
	if (!ok) noteTaskFailure(thread, run, joined);
	int n = ok ? nresults : 1;
	lua_createtable(thread, n, 2);
	for (int i = 1; i <= n; ++i)
	{
		lua_pushvalue(thread, i - n - 2);  // result i, below the new table
		lua_rawseti(thread, -2, i);
	}
	lua_pushboolean(thread, ok);
	lua_setfield(thread, -2, "ok");
	lua_pushinteger(thread, n);
	lua_setfield(thread, -2, "n");
	for (lua_State* joiner : joiners)
	{
		lua_pushvalue(thread, -1);
		lua_xmove(thread, joiner, 1);
	}
	pushEndedOutcomes(thread);
	lua_pushthread(thread);
	lua_pushvalue(thread, -3);
	lua_rawset(thread, -3);
	lua_pop(thread, 2);
}

void Scheduler::noteTaskFailure(lua_State* thread, RunId run, bool joined)
{
	Failure failure = describeTaskError(thread);
	logError(run, "task failed: " + failure.message);
	RunResult& result = _results[run];
	// A failed task that nobody joins fails its run, unless the run failed already.
	if (!joined && result.exitCode == 0)
	{
		result.exitCode = failure.exitCode;
		result.error = failure.message;
	}
}

void Scheduler::runClosers(RunId run)
{
	auto closers = std::move(_runs[run].closers);
	_runs[run].closers.clear();
	for (auto& [key, closer] : closers) closer();
}

void Scheduler::endRun(RunId run)
{
	runClosers(run);
	_results[run].finished = true;
	if (_onFinish) _onFinish(run);
}

Failure Scheduler::describeTaskError(lua_State* thread)
{
	BusyWatch::Running running(_busyWatch, thread);
	return describeError(thread, -1);
}

// The hook the BusyWatch sets on a task over the limit, and the regular one of the script's
// coroutines.
void Scheduler::checkBusyLimit(lua_State* L, lua_Debug*)
{
	Scheduler& self = Engine::of(L).scheduler();
	double busy = std::chrono::duration<double>(self._busyWatch.runningFor()).count();
	double limit = std::chrono::duration<double>(self._busyWatch.limit()).count();
	if (busy <= limit)
	{
		if (L == self._busyWatch.running() && self._busyWatch.nearLimit()) return;
		// A task that waited since its hook was set goes back to none, a coroutine to its
		// regular check.
		if (self._tasks.count(L))
			lua_sethook(L, nullptr, 0, 0);
		else
			lua_sethook(L, checkBusyLimit, LUA_MASKCOUNT, kBusyCheckInstructions);
		return;
	}
	// From now on every instruction raises again, in this thread and in the task running it,
	// so a script cannot catch the error with pcall and loop on (issue #7: that hung forever).
	lua_sethook(L, checkBusyLimit, LUA_MASKCOUNT, 1);
	lua_State* task = self._busyWatch.running();
	if (task && task != L) lua_sethook(task, checkBusyLimit, LUA_MASKCOUNT, 1);
	char message[160];
	std::snprintf(message, sizeof message,
		"the script computed for %.1f s without waiting on the network (limit %g s: --busy-limit)", busy, limit);
	raiseError(L, "limit", message);
}

void Scheduler::checkBusyLimitInCoroutines(lua_State* L)
{
	lua_getglobal(L, "coroutine");
	for (const char* name : {"create", "wrap"})
	{
		lua_getfield(L, -1, name);
		lua_pushcclosure(L, createCoroutine, 1);
		lua_setfield(L, -2, name);
	}
	lua_pop(L, 1);
}

// coroutine.create or .wrap (upvalue 1) with a count hook on the creating thread for the call:
// lua_newthread copies the creator's hook into the new coroutine.
int Scheduler::createCoroutine(lua_State* L)
{
	luaL_checktype(L, 1, LUA_TFUNCTION);
	lua_settop(L, 1);
	struct CreatorHook
	{
		lua_State* L;
		lua_Hook hook = lua_gethook(L);
		int mask = lua_gethookmask(L);
		int count = lua_gethookcount(L);
		~CreatorHook() { lua_sethook(L, hook, mask, count); }
	} creatorHook{L};
	lua_sethook(L, checkBusyLimit, LUA_MASKCOUNT, kBusyCheckInstructions);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, 1, 1);
	return 1;
}

void Scheduler::keepExitCode(lua_State* thread, int index, RunId run)
{
	lua_Integer code = lua_tointeger(thread, index);
	// The process exit status keeps 8 bits: 256 would read as success, -1 as 255 (#7).
	if (code >= 0 && code <= 255)
	{
		_results[run].exitCode = static_cast<int>(code);
		return;
	}
	_results[run].exitCode = exit_code::kScript;
	_results[run].error = "the script returned " + std::to_string(code) + ", not an exit code (0-255)";
	logError(run, _results[run].error);
}

void Scheduler::keepReturnedTable(lua_State* thread, int index, RunId run)
{
	try
	{
		_results[run].value = toData(thread, index);
	}
	catch (const std::runtime_error& e)
	{
		_results[run].exitCode = exit_code::kScript;
		_results[run].error = e.what();
		logError(run, e.what());
	}
}

void Scheduler::logError(RunId run, const std::string& message)
{
	double elapsedMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - _runs[run].started).count();
	_transcript.write(_results[run].label, elapsedMs, report::LineKind::Error, false, message);
}

} // namespace smtpx::lua
