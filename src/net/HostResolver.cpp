#include "net/HostResolver.h"

#include "net/HelperThread.h"
#include "net/Resolver.h"
#include "net/SocketPair.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>

namespace smtpx::net {

// What the loop and the helpers share. The helpers keep it alive: one may still wait on the
// system resolver when the HostResolver is gone.
struct HostResolver::Shared
{
	struct Job
	{
		RequestId id;
		Endpoint endpoint;
	};
	struct Answer
	{
		RequestId id;
		Addresses addresses;
		std::string error;
	};

	Shared(Lookup lookup, int bell): lookup(std::move(lookup)), bell(bell) {}
	~Shared() { ::close(bell); }

	// Runs on a helper thread until the resolver closes.
	void serve();
	Answer answer(const Job& job) const;
	void forget(RequestId id);  // a job not started yet

	const Lookup lookup;
	const int bell;  // the helpers' end of the bell
	std::mutex mutex;
	std::condition_variable work;
	std::deque<Job> jobs;
	std::vector<Answer> answers;
	std::size_t helpers = 0;
	std::size_t idle = 0;
	bool closed = false;
};

void HostResolver::Shared::serve()
{
	std::unique_lock lock(mutex);
	while (true)
	{
		++idle;
		work.wait(lock, [this] { return closed || !jobs.empty(); });
		--idle;
		if (closed) break;
		Job job = std::move(jobs.front());
		jobs.pop_front();
		lock.unlock();
		Answer found = answer(job);
		lock.lock();
		if (closed) break;
		answers.push_back(std::move(found));
		// A bell full of rings has rung enough: the loop takes every answer when it wakes.
		char ring = 0;
		::send(bell, &ring, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	--helpers;
}

HostResolver::Shared::Answer HostResolver::Shared::answer(const Job& job) const
{
	try
	{
		return {job.id, lookup(job.endpoint), {}};
	}
	catch (const std::exception& e)
	{
		return {job.id, {}, e.what()};
	}
}

void HostResolver::Shared::forget(RequestId id)
{
	std::lock_guard lock(mutex);
	std::erase_if(jobs, [id](const Job& job) { return job.id == id; });
}

HostResolver::HostResolver(EventLoop& loop, Lookup lookup):
	_loop(loop)
{
	SocketPair pair = SocketPair::make("look host names up");
	_bell = pair.loopEnd;
	_shared = std::make_shared<Shared>(lookup ? std::move(lookup) : Lookup(resolve), pair.helperEnd);
}

HostResolver::~HostResolver()
{
	for (const auto& [id, pending] : _pending) _loop.cancelTimer(pending.timer);
	if (_watched) _loop.unwatch(_bell);
	std::lock_guard lock(_shared->mutex);
	_shared->closed = true;
	_shared->jobs.clear();
	_shared->work.notify_all();
}

HostResolver::RequestId HostResolver::lookup(const Endpoint& endpoint, EventLoop::Clock::duration timeout, Done done)
{
	RequestId id = _nextId++;
	{
		std::lock_guard lock(_shared->mutex);
		if (_shared->jobs.size() >= _shared->idle && _shared->helpers < kMaxHelpers)
		{
			try
			{
				startHelperThread([shared = _shared] { shared->serve(); }).detach();
				++_shared->helpers;
			}
			catch (const std::system_error&)
			{
				// The helpers there are will come to it.
				if (_shared->helpers == 0) throw std::runtime_error("cannot look '" + endpoint.host + "' up: no thread to do it");
			}
		}
		_shared->jobs.push_back({id, endpoint});
		_shared->work.notify_one();
	}
	EventLoop::TimerId timer = _loop.startTimer(timeout, [this, id, timeout] { timeOut(id, timeout); });
	_pending.emplace(id, Pending{endpoint.host, std::move(done), timer});
	updateWatch();
	return id;
}

void HostResolver::cancel(RequestId id)
{
	auto found = _pending.find(id);
	if (found == _pending.end()) return;
	_loop.cancelTimer(found->second.timer);
	_pending.erase(found);
	_shared->forget(id);
	updateWatch();
}

void HostResolver::timeOut(RequestId id, EventLoop::Clock::duration timeout)
{
	auto found = _pending.find(id);
	if (found == _pending.end()) return;
	Pending pending = std::move(found->second);
	_pending.erase(found);
	_shared->forget(id);
	updateWatch();
	pending.done({}, "cannot resolve host name '" + pending.host + "': no answer within " + EventLoop::describe(timeout));
}

void HostResolver::onReadable()
{
	char rings[64];
	while (::recv(_bell.impl()->sockfd(), rings, sizeof rings, MSG_DONTWAIT) > 0) {}
	std::vector<Shared::Answer> answers;
	{
		std::lock_guard lock(_shared->mutex);
		answers.swap(_shared->answers);
	}
	for (auto& answer : answers) finish(answer.id, std::move(answer.addresses), std::move(answer.error));
	updateWatch();
}

void HostResolver::finish(RequestId id, Addresses addresses, std::string error)
{
	auto found = _pending.find(id);
	if (found == _pending.end()) return;  // cancelled, or timed out
	Pending pending = std::move(found->second);
	_pending.erase(found);
	_loop.cancelTimer(pending.timer);
	// `done` may look up or cancel again: this resolver holds nothing of the lookup any more.
	pending.done(std::move(addresses), std::move(error));
}

void HostResolver::updateWatch()
{
	bool wanted = !_pending.empty();
	if (wanted == _watched) return;
	if (wanted)
		_loop.watch(_bell, *this, true, false);
	else
		_loop.unwatch(_bell);
	_watched = wanted;
}

} // namespace smtpx::net
