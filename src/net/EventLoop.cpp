#include "net/EventLoop.h"

#include <algorithm>
#include <cstdio>

namespace smtpx::net {

using Poco::Net::PollSet;

void EventLoop::watch(const Poco::Net::Socket& socket, IoHandler& handler, bool readable, bool writable)
{
	int mode = PollSet::POLL_ERROR | (readable ? PollSet::POLL_READ : 0) | (writable ? PollSet::POLL_WRITE : 0);
	auto fd = socket.impl()->sockfd();
	auto found = _watches.find(fd);
	if (found == _watches.end())
	{
		_watches.emplace(fd, Watch{socket, &handler, mode});
		_pollSet.add(socket, mode);
	}
	else if (found->second.mode != mode || found->second.handler != &handler)
	{
		found->second.mode = mode;
		found->second.handler = &handler;
		_pollSet.update(socket, mode);
	}
}

void EventLoop::unwatch(const Poco::Net::Socket& socket)
{
	auto found = _watches.find(socket.impl()->sockfd());
	if (found == _watches.end()) return;
	_pollSet.remove(found->second.socket);
	_watches.erase(found);
}

EventLoop::Clock::duration EventLoop::delay(double seconds)
{
	constexpr double kYear = 365.0 * 24 * 3600;
	const double bounded = seconds > 0 ? std::min(seconds, kYear) : 0.0;  // NaN compares false: 0
	return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(bounded));
}

std::string EventLoop::describe(Clock::duration duration)
{
	char text[32];
	std::snprintf(text, sizeof text, "%g s", std::chrono::duration<double>(duration).count());
	return text;
}

EventLoop::TimerId EventLoop::startTimer(Clock::duration delay, std::function<void()> fn)
{
	TimerId id = _nextTimerId++;
	auto due = Clock::now() + delay;
	_timers.emplace(id, Timer{due, std::move(fn)});
	_timerQueue.push({due, id});
	return id;
}

void EventLoop::cancelTimer(TimerId id)
{
	// The queue entry stays and is skipped when it comes due: cheaper than a search. Every
	// expect starts and cancels a timer, so at thousands of replies a second the dead entries are
	// swept out now and then to keep the queue as small as the live timers.
	if (!_timers.erase(id)) return;
	if (++_cancelledInQueue > 4096 && _cancelledInQueue > 2 * _timers.size()) dropCancelledTimers();
}

void EventLoop::dropCancelledTimers()
{
	std::vector<TimerEntry> live;
	live.reserve(_timers.size());
	for (const auto& [id, timer] : _timers) live.push_back({timer.due, id});
	_timerQueue = decltype(_timerQueue)(std::greater<>(), std::move(live));
	_cancelledInQueue = 0;
}

void EventLoop::defer(std::function<void()> fn)
{
	_deferred.push_back(std::move(fn));
}

void EventLoop::run()
{
	while (runOnce())
	{
	}
}

bool EventLoop::runOnce()
{
	if (!hasWork()) return false;
	bool deferredRan = runDeferred();
	// Not ||: the due timers run even when deferred calls did.
	if (runDueTimers() | deferredRan) return true;
	if (_watches.empty() && _timers.empty()) return false;
	pollOnce();
	return true;
}

bool EventLoop::hasWork() const
{
	return !_watches.empty() || !_timers.empty() || !_deferred.empty();
}

bool EventLoop::runDeferred()
{
	bool ran = !_deferred.empty();
	while (!_deferred.empty())
	{
		auto batch = std::move(_deferred);
		_deferred.clear();
		for (auto& fn : batch) fn();
	}
	return ran;
}

bool EventLoop::runDueTimers()
{
	bool ran = false;
	auto now = Clock::now();
	while (!_timerQueue.empty() && _timerQueue.top().due <= now)
	{
		TimerId id = _timerQueue.top().id;
		_timerQueue.pop();
		auto found = _timers.find(id);
		if (found == _timers.end())
		{
			if (_cancelledInQueue) --_cancelledInQueue;
			continue;
		}
		auto fn = std::move(found->second.fn);
		_timers.erase(found);
		fn();
		ran = true;
	}
	while (!_timerQueue.empty() && !_timers.count(_timerQueue.top().id))
	{
		_timerQueue.pop();
		if (_cancelledInQueue) --_cancelledInQueue;
	}
	return ran;
}

Poco::Timespan EventLoop::pollTimeout() const
{
	if (_timerQueue.empty()) return Poco::Timespan(1, 0);
	auto wait = std::chrono::duration_cast<std::chrono::microseconds>(_timerQueue.top().due - Clock::now());
	// epoll counts whole milliseconds and Poco rounds down: round up, or the last millisecond
	// before a timer is due would spin through polls that wait for nothing.
	std::int64_t micros = (std::max<std::int64_t>(0, wait.count()) + 999) / 1000 * 1000;
	return Poco::Timespan(std::min<std::int64_t>(micros, 1000000));
}

void EventLoop::setSpin(std::chrono::microseconds spin)
{
	_spin = std::max(spin, std::chrono::microseconds(0));
}

void EventLoop::pollOnce()
{
	auto ready = pollWithoutSleeping();
	if (ready.empty()) ready = _pollSet.poll(pollTimeout());
	for (auto& [socket, mode] : ready)
	{
		// A handler may have unwatched (or closed) another ready socket: look each one up again.
		auto found = _watches.find(socket.impl()->sockfd());
		if (found == _watches.end()) continue;
		IoHandler* handler = found->second.handler;
		bool wantsWrite = found->second.mode & PollSet::POLL_WRITE;
		if ((mode & PollSet::POLL_WRITE) && wantsWrite)
		{
			handler->onWritable();
			found = _watches.find(socket.impl()->sockfd());
			if (found == _watches.end() || found->second.handler != handler) continue;
		}
		if (mode & (PollSet::POLL_READ | PollSet::POLL_ERROR)) handler->onReadable();
	}
}

PollSet::SocketModeMap EventLoop::pollWithoutSleeping()
{
	if (_spin.count() == 0 || _watches.empty()) return {};
	auto until = Clock::now() + _spin;
	if (!_timerQueue.empty()) until = std::min(until, _timerQueue.top().due);
	PollSet::SocketModeMap ready;
	do ready = _pollSet.poll(Poco::Timespan(0));
	while (ready.empty() && Clock::now() < until);
	return ready;
}

} // namespace smtpx::net
