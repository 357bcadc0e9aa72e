// BusyWatchdog: finds Lua code that has run too long without waiting (the busy limit), at no
// cost to code that waits in time.
//
// Each event-loop thread has a Watch, which the Scheduler tells when a task starts and stops
// running. One process-wide thread looks at every Watch a few times per limit and signals a
// thread whose task is over it; the signal handler sets a count hook on the tasks running on
// that thread (lua_sethook is written to be called from a signal handler, as lua.c does for
// Ctrl-C), and the hook raises the error in the task itself.
//
// Why not simply a count hook on every task from the start, as before: with any count hook set,
// Lua calls into its debug machinery at every instruction, and pure Lua code ran 1.8 times slower.
#pragma once

#include "lua/LuaHeaders.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <vector>

namespace smtpx::lua {

class BusyWatchdog
{
public:
	// One event loop's running task. Made, used and destroyed on the loop's own thread.
	class Watch
	{
	public:
		// `hook` goes on a task that may be over the limit; it decides, in the task.
		Watch(std::chrono::nanoseconds limit, lua_Hook hook);
		~Watch();
		Watch(const Watch&) = delete;
		Watch& operator=(const Watch&) = delete;

		void setLimit(std::chrono::nanoseconds limit);

		// While a Running lives, `thread` counts as running since then; a task may run another
		// inline, and the outer one's time goes on when the inner one's Running ends.
		class Running
		{
		public:
			Running(Watch& watch, lua_State* thread);
			~Running();
			Running(const Running&) = delete;
			Running& operator=(const Running&) = delete;

		private:
			Watch& _watch;
			lua_State* _outerThread;
			std::int64_t _outerSince;
		};

		// The innermost running task, and how long it has run; nullptr and zero when none runs.
		lua_State* running() const { return _thread.load(std::memory_order_relaxed); }
		std::chrono::nanoseconds runningFor() const;

	private:
		friend class BusyWatchdog;
		bool overLimit(std::int64_t now) const;

		pthread_t _osThread;
		lua_Hook _hook;
		std::atomic<std::int64_t> _limit;        // nanoseconds
		std::atomic<lua_State*> _thread{nullptr};
		std::atomic<std::int64_t> _since{0};     // steady-clock nanoseconds; 0: no task runs
		Watch* _nextOnThread;                    // the thread's other Watches (see onSignal)
	};

private:
	BusyWatchdog();
	~BusyWatchdog();
	static BusyWatchdog& instance();
	static void onSignal(int);
	void add(Watch* watch);
	void remove(Watch* watch);
	void run();
	std::chrono::nanoseconds period() const;

	std::mutex _mutex;
	std::condition_variable _changed;
	std::vector<Watch*> _watches;
	bool _stopping = false;
	std::thread _thread;
};

} // namespace smtpx::lua
