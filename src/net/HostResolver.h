// HostResolver: looks host names up without blocking the event loop. The system resolver
// (getaddrinfo) blocks, for as long as a slow or dead name server makes it: on the loop's own
// thread, one such name would stop every session. Helper threads do the lookups; the answers
// come back through the loop, in the loop's thread, and a lookup that takes longer than its
// timeout is answered with an error at once.
#pragma once

#include "net/Endpoint.h"
#include "net/EventLoop.h"
#include "net/IoHandler.h"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/Socket.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace smtpx::net {

class HostResolver : private IoHandler
{
public:
	using Addresses = std::vector<Poco::Net::SocketAddress>;
	// A blocking lookup, run on a helper thread: the addresses, or std::runtime_error saying why
	// there are none. net::resolve by default; tests give a slow one.
	using Lookup = std::function<Addresses(const Endpoint&)>;
	// The addresses, or none and why.
	using Done = std::function<void(Addresses addresses, std::string error)>;
	using RequestId = std::uint64_t;

	// Lookups at once at most; more wait for a helper.
	static constexpr std::size_t kMaxHelpers = 8;

	explicit HostResolver(EventLoop& loop, Lookup lookup = {});
	// Takes every answer back: no `done` comes any more. A helper still waiting on the system
	// resolver is not waited for; it ends when its lookup returns.
	~HostResolver() override;
	HostResolver(const HostResolver&) = delete;
	HostResolver& operator=(const HostResolver&) = delete;

	// Looks `endpoint` up; `done` comes from the loop (never from inside this call) with its
	// addresses, or with none and why, at the latest after `timeout`.
	RequestId lookup(const Endpoint& endpoint, EventLoop::Clock::duration timeout, Done done);
	// `done` of that lookup will not come (harmless once it came).
	void cancel(RequestId id);

	std::size_t pendingCount() const { return _pending.size(); }

private:
	struct Shared;
	struct Pending
	{
		std::string host;
		Done done;
		EventLoop::TimerId timer;
	};

	void onReadable() override;
	void onWritable() override {}
	void timeOut(RequestId id, EventLoop::Clock::duration timeout);
	void finish(RequestId id, Addresses addresses, std::string error);
	// The bell is watched while an answer is owed, so an idle resolver lets the loop end.
	void updateWatch();

	EventLoop& _loop;
	std::shared_ptr<Shared> _shared;  // with the helpers, which may outlive this
	Poco::Net::Socket _bell;          // the loop's end of the helpers' bell
	bool _watched = false;
	std::unordered_map<RequestId, Pending> _pending;
	RequestId _nextId = 1;
};

} // namespace smtpx::net
