#include "lua/BusyWatch.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>
#include <system_error>
#include <unistd.h>

namespace smtpx::lua {

namespace {

// The watches of this thread, newest first: only the thread itself (and so its signal handler,
// which interrupts it) touches the chain.
thread_local BusyWatch* t_watches = nullptr;

std::int64_t steadyNanos()
{
	return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// A real-time signal nothing else here uses (glibc keeps the first two for itself).
int tickSignal()
{
	return SIGRTMIN + 2;
}

// A quarter of the limit, between 5 ms and 1 s: a task within a tick of its limit runs with the
// hook, and so a little slower, for no more than that.
std::chrono::nanoseconds tickPeriod(std::chrono::nanoseconds limit)
{
	return std::clamp<std::chrono::nanoseconds>(limit / 4, std::chrono::milliseconds(5), std::chrono::seconds(1));
}

timespec toTimespec(std::chrono::nanoseconds duration)
{
	return {static_cast<time_t>(duration.count() / 1000000000), static_cast<long>(duration.count() % 1000000000)};
}

void installHandler(void (*handler)(int))
{
	struct sigaction action;
	std::memset(&action, 0, sizeof action);
	action.sa_handler = handler;
	action.sa_flags = SA_RESTART;  // a tick that lands in a system call does not fail it
	sigemptyset(&action.sa_mask);
	if (sigaction(tickSignal(), &action, nullptr) != 0)
		throw std::system_error(errno, std::generic_category(), "busy limit: sigaction");
}

} // namespace

BusyWatch::BusyWatch(std::chrono::nanoseconds limit, lua_Hook hook, int hookCount):
	_limit(limit),
	_tick(tickPeriod(limit)),
	_hook(hook),
	_hookCount(hookCount),
	_nextOnThread(t_watches)
{
	static std::once_flag handlerInstalled;
	std::call_once(handlerInstalled, installHandler, onTick);
	sigevent event;
	std::memset(&event, 0, sizeof event);
	event.sigev_notify = SIGEV_THREAD_ID;
	event.sigev_signo = tickSignal();
	event._sigev_un._tid = gettid();  // sigev_notify_thread_id: the kernel's name, not in glibc's headers
	if (timer_create(CLOCK_MONOTONIC, &event, &_timer) != 0)
		throw std::system_error(errno, std::generic_category(), "busy limit: timer_create");
	itimerspec ticks{toTimespec(_tick), toTimespec(_tick)};
	timer_settime(_timer, 0, &ticks, nullptr);
	t_watches = this;
}

BusyWatch::~BusyWatch()
{
	// Off the chain first: a tick already on its way finds the others only.
	BusyWatch** link = &t_watches;
	while (*link != this) link = &(*link)->_nextOnThread;
	*link = _nextOnThread;
	timer_delete(_timer);
}

std::chrono::nanoseconds BusyWatch::runningFor() const
{
	std::int64_t since = _since.load(std::memory_order_relaxed);
	return std::chrono::nanoseconds(since ? steadyNanos() - since : 0);
}

bool BusyWatch::nearLimit() const
{
	return nearLimit(steadyNanos());
}

bool BusyWatch::nearLimit(std::int64_t now) const
{
	std::int64_t since = _since.load(std::memory_order_relaxed);
	return since && now - since > (_limit - _tick).count();
}

BusyWatch::Running::Running(BusyWatch& watch, lua_State* thread):
	_watch(watch),
	_outerThread(watch._thread.load(std::memory_order_relaxed)),
	_outerSince(watch._since.load(std::memory_order_relaxed))
{
	// Cleared first, so a tick in between never pairs the new thread with the old time.
	watch._since.store(0, std::memory_order_relaxed);
	watch._thread.store(thread, std::memory_order_relaxed);
	watch._since.store(steadyNanos(), std::memory_order_relaxed);
}

BusyWatch::Running::~Running()
{
	_watch._since.store(0, std::memory_order_relaxed);
	_watch._thread.store(_outerThread, std::memory_order_relaxed);
	_watch._since.store(_outerSince, std::memory_order_relaxed);
}

// Runs on the loop's thread, between any two of its instructions: reads atomics and the clock
// and calls lua_sethook, all of which may be done there. A task that has a hook keeps it: it is
// this one already, or the one that raises at every instruction once past the limit.
void BusyWatch::onTick(int)
{
	int savedErrno = errno;
	std::int64_t now = steadyNanos();
	for (BusyWatch* watch = t_watches; watch; watch = watch->_nextOnThread)
	{
		lua_State* task = watch->running();
		if (task && !lua_gethook(task) && watch->nearLimit(now))
			lua_sethook(task, watch->_hook, LUA_MASKCOUNT, watch->_hookCount);
	}
	errno = savedErrno;
}

} // namespace smtpx::lua
