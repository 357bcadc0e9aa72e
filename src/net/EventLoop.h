// EventLoop: one thread's socket readiness (Poco::Net::PollSet, epoll on Linux), timers and
// deferred calls. Every session of a thread lives on one loop; nothing here blocks but poll().
#pragma once

#include "net/IoHandler.h"

#include <Poco/Net/PollSet.h>
#include <Poco/Net/Socket.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

namespace smtpx::net {

class EventLoop
{
public:
	using Clock = std::chrono::steady_clock;
	using TimerId = std::uint64_t;

	EventLoop() = default;
	EventLoop(const EventLoop&) = delete;
	EventLoop& operator=(const EventLoop&) = delete;

	// Adds the socket, or changes what it is watched for.
	void watch(const Poco::Net::Socket& socket, IoHandler& handler, bool readable, bool writable);
	void unwatch(const Poco::Net::Socket& socket);

	// Calls `fn` once after `delay`. Ids are never reused, so cancelling a fired timer is harmless.
	TimerId startTimer(Clock::duration delay, std::function<void()> fn);
	// Seconds as a delay: NaN and negatives give 0, more than a year (math.huge too) a year, so
	// no conversion overflows (issue #7: --timeout inf made every timer fire at once).
	static Clock::duration delay(double seconds);
	// "2.5 s", for messages.
	static std::string describe(Clock::duration duration);
	void cancelTimer(TimerId id);

	// Calls `fn` from the loop itself, after the current handler returns.
	void defer(std::function<void()> fn);

	// Runs until no socket is watched, no timer is pending and nothing is deferred.
	void run();

	std::size_t watchedCount() const { return _watches.size(); }

	// How long a poll that finds nothing ready keeps polling before the thread sleeps (0: not
	// at all). A reply on loopback or a LAN often comes within microseconds, and a sleeping
	// thread takes tens of them to wake on a virtual machine: one session sent 2.3 times as many
	// messages a second with 100 us. The cost is at most that much CPU time per sleep.
	static constexpr std::chrono::microseconds kDefaultSpin{100};
	void setSpin(std::chrono::microseconds spin);

private:
	struct Watch
	{
		Poco::Net::Socket socket;
		IoHandler* handler;
		int mode;
	};
	struct TimerEntry
	{
		Clock::time_point due;
		TimerId id;
		bool operator>(const TimerEntry& other) const { return due > other.due; }
	};

	// One turn of run(): the deferred calls and the due timers, or, when there were none, one
	// poll. False, having done nothing, when nothing is watched, pending or deferred: nothing
	// could ever happen then.
	bool runOnce();
	bool hasWork() const;
	bool runDeferred();   // false when nothing was deferred
	bool runDueTimers();  // false when no timer was due
	void pollOnce();
	Poco::Net::PollSet::SocketModeMap pollWithoutSleeping();
	Poco::Timespan pollTimeout() const;

	Poco::Net::PollSet _pollSet;
	std::unordered_map<poco_socket_t, Watch> _watches;
	std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<>> _timerQueue;
	struct Timer
	{
		Clock::time_point due;
		std::function<void()> fn;
	};
	void dropCancelledTimers();

	std::unordered_map<TimerId, Timer> _timers;
	std::size_t _cancelledInQueue = 0;
	TimerId _nextTimerId = 1;
	std::vector<std::function<void()>> _deferred;
	std::chrono::microseconds _spin = kDefaultSpin;
};

} // namespace smtpx::net
