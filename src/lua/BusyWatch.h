// BusyWatch: finds a task that has computed too long without waiting (the busy limit), at no
// cost to tasks that wait in time.
//
// The Scheduler tells it which task runs since when. A timer of the event loop's own thread (a
// POSIX timer that signals that thread) ticks a few times per limit; when the task running then
// is within a tick of the limit, the signal handler sets a count hook on it (lua_sethook is
// written to be called from a signal handler, as lua.c does for Ctrl-C, and the VM looks for a
// new hook at every jump). The hook then checks every so many instructions and raises the error
// in the task itself once the limit has passed.
//
// Why not simply a count hook on every task from the start, as before: with any count hook set,
// Lua calls into its debug machinery at every instruction, and pure Lua code ran 1.8 times slower.
#pragma once

#include "lua/LuaHeaders.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>

namespace smtpx::lua {

class BusyWatch
{
public:
	// Made, used and destroyed on the event loop's thread. `hook` goes on a task near `limit`,
	// called every `hookCount` instructions; it decides, in the task. Throws std::system_error
	// when there is no timer to be had.
	BusyWatch(std::chrono::nanoseconds limit, lua_Hook hook, int hookCount);
	~BusyWatch();
	BusyWatch(const BusyWatch&) = delete;
	BusyWatch& operator=(const BusyWatch&) = delete;

	std::chrono::nanoseconds limit() const { return _limit; }

	// While a Running lives, `thread` counts as running since then. A task may run another
	// inline (closing a session wakes its readers): the outer one's time goes on when the inner
	// one's Running ends.
	class Running
	{
	public:
		Running(BusyWatch& watch, lua_State* thread);
		~Running();
		Running(const Running&) = delete;
		Running& operator=(const Running&) = delete;

	private:
		BusyWatch& _watch;
		lua_State* _outerThread;
		std::int64_t _outerSince;
	};

	// The innermost running task, and how long it has run; nullptr and zero when none runs.
	lua_State* running() const { return _thread.load(std::memory_order_relaxed); }
	std::chrono::nanoseconds runningFor() const;
	// Whether the running task is within a tick of the limit (or past it): its hook should stay.
	bool nearLimit() const;

private:
	static void onTick(int);
	bool nearLimit(std::int64_t now) const;

	const std::chrono::nanoseconds _limit;
	const std::chrono::nanoseconds _tick;    // between the timer's ticks
	// What the signal handler reads and the thread writes is atomic (lock-free): the handler may
	// interrupt any write.
	std::atomic<lua_State*> _thread{nullptr};
	std::atomic<std::int64_t> _since{0};     // steady-clock nanoseconds; 0: no task runs
	lua_Hook _hook;
	int _hookCount;
	timer_t _timer;
	BusyWatch* _nextOnThread;                // the thread's other watches, for the handler
};

} // namespace smtpx::lua
