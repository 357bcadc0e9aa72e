#include "net/EventLoop.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <vector>

using namespace smtpx::net;
using namespace std::chrono_literals;

TEST_CASE("timers fire in order of their due time, cancelled ones never")
{
	EventLoop loop;
	std::vector<int> fired;
	loop.startTimer(30ms, [&] { fired.push_back(3); });
	loop.startTimer(10ms, [&] { fired.push_back(1); });
	auto cancelled = loop.startTimer(20ms, [&] { fired.push_back(2); });
	loop.cancelTimer(cancelled);
	loop.cancelTimer(cancelled);  // twice is harmless
	loop.run();
	CHECK(fired == std::vector<int>{1, 3});
}

TEST_CASE("many started-and-cancelled timers do not keep the loop busy or pile up")
{
	EventLoop loop;
	int fired = 0;
	for (int i = 0; i < 100000; ++i) loop.cancelTimer(loop.startTimer(60s, [&] { ++fired; }));
	loop.startTimer(1ms, [&] { ++fired; });
	auto start = std::chrono::steady_clock::now();
	loop.run();
	CHECK(fired == 1);
	CHECK(std::chrono::steady_clock::now() - start < 1s);  // not waiting for the cancelled 60 s ones
}

TEST_CASE("deferred calls run in order, after the current one, and may defer more")
{
	EventLoop loop;
	std::vector<int> order;
	loop.defer([&] {
		order.push_back(1);
		loop.defer([&] { order.push_back(3); });
	});
	loop.defer([&] { order.push_back(2); });
	loop.run();
	CHECK(order == std::vector<int>{1, 2, 3});
}
