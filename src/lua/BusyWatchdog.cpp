#include "lua/BusyWatchdog.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

namespace smtpx::lua {

namespace {

// A thread's Watches, newest first; only that thread and its signal handler touch the chain.
thread_local BusyWatchdog::Watch* t_watches = nullptr;

std::int64_t steadyNanos()
{
	return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// A real-time signal nothing else here uses (glibc keeps the first two for itself).
int busySignal()
{
	return SIGRTMIN + 2;
}

} // namespace

BusyWatchdog::Watch::Watch(std::chrono::nanoseconds limit, lua_Hook hook):
	_osThread(pthread_self()),
	_hook(hook),
	_limit(limit.count()),
	_nextOnThread(t_watches)
{
	t_watches = this;
	instance().add(this);
}

BusyWatchdog::Watch::~Watch()
{
	instance().remove(this);
	Watch** link = &t_watches;
	while (*link != this) link = &(*link)->_nextOnThread;
	*link = _nextOnThread;
}

void BusyWatchdog::Watch::setLimit(std::chrono::nanoseconds limit)
{
	_limit.store(limit.count(), std::memory_order_relaxed);
	instance()._changed.notify_one();  // the period may be shorter now
}

std::chrono::nanoseconds BusyWatchdog::Watch::runningFor() const
{
	std::int64_t since = _since.load(std::memory_order_relaxed);
	return std::chrono::nanoseconds(since ? steadyNanos() - since : 0);
}

bool BusyWatchdog::Watch::overLimit(std::int64_t now) const
{
	std::int64_t since = _since.load(std::memory_order_relaxed);
	return since && now - since > _limit.load(std::memory_order_relaxed);
}

BusyWatchdog::Watch::Running::Running(Watch& watch, lua_State* thread):
	_watch(watch),
	_outerThread(watch._thread.load(std::memory_order_relaxed)),
	_outerSince(watch._since.load(std::memory_order_relaxed))
{
	watch._thread.store(thread, std::memory_order_relaxed);
	watch._since.store(steadyNanos(), std::memory_order_relaxed);
}

BusyWatchdog::Watch::Running::~Running()
{
	// The outer task's clock goes on from where it was: its time includes the inner one's.
	_watch._since.store(_outerSince, std::memory_order_relaxed);
	_watch._thread.store(_outerThread, std::memory_order_relaxed);
}

BusyWatchdog::BusyWatchdog()
{
	struct sigaction action;
	std::memset(&action, 0, sizeof action);
	action.sa_handler = onSignal;
	action.sa_flags = SA_RESTART;  // a signal that lands in a system call does not fail it
	sigemptyset(&action.sa_mask);
	if (sigaction(busySignal(), &action, nullptr) != 0) throw std::runtime_error("cannot set the busy-limit signal handler");
}

BusyWatchdog::~BusyWatchdog()
{
	{
		std::lock_guard lock(_mutex);
		_stopping = true;
	}
	_changed.notify_one();
	if (_thread.joinable()) _thread.join();
}

BusyWatchdog& BusyWatchdog::instance()
{
	static BusyWatchdog watchdog;
	return watchdog;
}

// Runs on the signalled thread, between any two of its instructions: only lua_sethook, which
// Lua allows there. A task that waited meanwhile gets a hook it needs not; the hook sees that
// and takes itself off.
void BusyWatchdog::onSignal(int)
{
	int savedErrno = errno;
	for (Watch* watch = t_watches; watch; watch = watch->_nextOnThread)
		if (lua_State* thread = watch->running()) lua_sethook(thread, watch->_hook, LUA_MASKCOUNT, 1);
	errno = savedErrno;
}

void BusyWatchdog::add(Watch* watch)
{
	std::lock_guard lock(_mutex);
	_watches.push_back(watch);
	// Started with the first Watch: a process that runs no script has no watchdog thread.
	if (!_thread.joinable()) _thread = std::thread([this] { run(); });
	_changed.notify_one();
}

void BusyWatchdog::remove(Watch* watch)
{
	std::lock_guard lock(_mutex);
	_watches.erase(std::find(_watches.begin(), _watches.end(), watch));
}

// Signals are sent with the lock held, and a Watch leaves the list under it before its thread
// may end: a signalled thread is always alive.
void BusyWatchdog::run()
{
	std::unique_lock lock(_mutex);
	while (!_stopping)
	{
		_changed.wait_for(lock, period());
		std::int64_t now = steadyNanos();
		for (Watch* watch : _watches)
			if (watch->overLimit(now)) pthread_kill(watch->_osThread, busySignal());
	}
}

// A quarter of the shortest limit, so a task is stopped at most a quarter late; between 5 ms
// and 1 s.
std::chrono::nanoseconds BusyWatchdog::period() const
{
	std::chrono::nanoseconds shortest = std::chrono::seconds(4);
	for (const Watch* watch : _watches)
		shortest = std::min(shortest, std::chrono::nanoseconds(watch->_limit.load(std::memory_order_relaxed)));
	return std::clamp<std::chrono::nanoseconds>(shortest / 4, std::chrono::milliseconds(5), std::chrono::seconds(1));
}

} // namespace smtpx::lua
