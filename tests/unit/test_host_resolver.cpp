// HostResolver: a slow name server must not stop the event loop. Lookups run on helper threads
// (here a stand-in lookup that sleeps, as no real server is slow on demand), answers come through
// the loop, and a lookup past its timeout is answered at once with an error.
#include "net/HostResolver.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

using namespace smtpx::net;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct Outcome
{
	HostResolver::Addresses addresses;
	std::string error;
	Clock::duration after{};
	int calls = 0;
};

// A lookup that takes `delay` and answers 192.0.2.1, or throws for hosts named "bad".
HostResolver::Lookup slowLookup(Clock::duration delay)
{
	return [delay](const Endpoint& endpoint) {
		std::this_thread::sleep_for(delay);
		if (endpoint.host == "bad") throw std::runtime_error("cannot resolve host name 'bad': not known");
		return HostResolver::Addresses{Poco::Net::SocketAddress("192.0.2.1", endpoint.port)};
	};
}

HostResolver::Done record(Outcome& outcome, Clock::time_point start)
{
	return [&outcome, start](HostResolver::Addresses addresses, std::string error) {
		outcome.addresses = std::move(addresses);
		outcome.error = std::move(error);
		outcome.after = Clock::now() - start;
		++outcome.calls;
	};
}

// One lookup of `host` (port 25) started on a loop of its own.
struct OneLookup
{
	EventLoop loop;
	HostResolver resolver;
	Clock::time_point start = Clock::now();
	Outcome outcome;

	OneLookup(HostResolver::Lookup lookup, const std::string& host, Clock::duration timeout):
		resolver(loop, std::move(lookup))
	{
		resolver.lookup({host, 25}, timeout, record(outcome, start));
	}
};

} // namespace

TEST_CASE("a slow lookup does not stop the loop: timers fire meanwhile, the answer comes through it")
{
	OneLookup one(slowLookup(300ms), "slow.example", 5s);
	auto& [loop, resolver, start, outcome] = one;
	Clock::duration timerFired{};
	loop.startTimer(20ms, [&] { timerFired = Clock::now() - start; });
	loop.run();  // ends once answered: an idle resolver keeps the loop no longer
	REQUIRE(outcome.calls == 1);
	CHECK(outcome.error.empty());
	REQUIRE(outcome.addresses.size() == 1);
	CHECK(outcome.addresses[0].toString() == "192.0.2.1:25");
	CHECK(timerFired < 200ms);
	CHECK(outcome.after >= 300ms);
	CHECK(resolver.pendingCount() == 0);
}

TEST_CASE("a failed lookup answers with no address and why: the lookup's own error, or at once its timeout")
{
	struct Failure
	{
		HostResolver::Lookup lookup;
		const char* host;
		Clock::duration timeout;
		const char* error;
	};
	for (const auto& [lookup, host, timeout, error] : {
			 Failure{slowLookup(0ms), "bad", 5s, "cannot resolve host name 'bad': not known"},
			 Failure{slowLookup(600ms), "dead.example", 50ms, "cannot resolve host name 'dead.example': no answer within 0.05 s"}})
	{
		INFO(host);
		OneLookup one(lookup, host, timeout);
		one.loop.run();
		REQUIRE(one.outcome.calls == 1);
		CHECK(one.outcome.addresses.empty());
		CHECK(one.outcome.error == error);
		CHECK(one.outcome.after < 400ms);
		// A helper that answers late answers a resolver that no longer waits: nothing comes.
		one.loop.startTimer(800ms, [] {});
		one.loop.run();
		CHECK(one.outcome.calls == 1);
	}
}

TEST_CASE("lookups run side by side, on at most kMaxHelpers threads")
{
	std::atomic<int> running = 0, most = 0;
	auto counting = [&](const Endpoint& endpoint) {
		int now = ++running;
		for (int seen = most; now > seen && !most.compare_exchange_weak(seen, now);) {}
		std::this_thread::sleep_for(200ms);
		--running;
		return HostResolver::Addresses{Poco::Net::SocketAddress("192.0.2.1", endpoint.port)};
	};
	EventLoop loop;
	HostResolver resolver(loop, counting);
	auto start = Clock::now();
	Outcome outcomes[16];
	for (auto& outcome : outcomes) resolver.lookup({"many.example", 25}, 10s, record(outcome, start));
	loop.run();
	for (const auto& outcome : outcomes) CHECK(outcome.calls == 1);
	CHECK(most == static_cast<int>(HostResolver::kMaxHelpers));
	CHECK(Clock::now() - start < 1500ms);  // two rounds of 200 ms, not sixteen
}

TEST_CASE("a cancelled lookup never answers; a resolver is destroyed without waiting for its helpers")
{
	EventLoop loop;
	Outcome cancelled, inFlight;
	auto start = Clock::now();
	{
		HostResolver resolver(loop, slowLookup(500ms));
		auto id = resolver.lookup({"a.example", 25}, 5s, record(cancelled, start));
		resolver.cancel(id);
		CHECK(resolver.pendingCount() == 0);
		resolver.lookup({"b.example", 25}, 5s, record(inFlight, start));
	}
	CHECK(Clock::now() - start < 200ms);
	loop.startTimer(700ms, [] {});
	loop.run();
	CHECK(cancelled.calls == 0);
	CHECK(inFlight.calls == 0);
}

TEST_CASE("the system resolver answers localhost through the helpers")
{
	OneLookup one({}, "localhost", 5s);
	auto& [loop, resolver, start, outcome] = one;
	loop.run();
	REQUIRE(outcome.calls == 1);
	INFO(outcome.error);
	REQUIRE_FALSE(outcome.addresses.empty());
	for (const auto& address : outcome.addresses)
	{
		CHECK(address.host().isLoopback());
		CHECK(address.port() == 25);
	}
}
