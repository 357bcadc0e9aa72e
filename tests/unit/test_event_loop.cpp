#include "net/EventLoop.h"
#include "net/IoHandler.h"

#include <Poco/Net/DatagramSocket.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
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

namespace {

// Counts readable events on a datagram socket bound to loopback, and reads what came.
struct DatagramReader: IoHandler
{
	Poco::Net::DatagramSocket socket{Poco::Net::SocketAddress("127.0.0.1", 0)};
	EventLoop::Clock::time_point readAt;
	std::function<void()> then = [] {};
	void onReadable() override
	{
		char buffer[16];
		socket.receiveBytes(buffer, sizeof buffer);
		readAt = EventLoop::Clock::now();
		then();
	}
	void onWritable() override {}
};

} // namespace

TEST_CASE("polling before the loop sleeps never holds back a due timer")
{
	EventLoop loop;
	loop.setSpin(100ms);  // --spin's most
	DatagramReader idle;
	loop.watch(idle.socket, idle, true, false);
	auto start = EventLoop::Clock::now();
	EventLoop::Clock::time_point firedAt;
	loop.startTimer(5ms, [&] {
		firedAt = EventLoop::Clock::now();
		loop.unwatch(idle.socket);
	});
	loop.run();
	CHECK(firedAt - start < 50ms);
}

TEST_CASE("what becomes ready while the loop polls is handled then, with or without polling")
{
	for (auto spin : {0us, 100000us})
	{
		EventLoop loop;
		loop.setSpin(spin);
		DatagramReader reader;
		loop.watch(reader.socket, reader, true, false);
		Poco::Net::DatagramSocket sender;
		auto sentAt = EventLoop::Clock::now();
		loop.startTimer(2ms, [&] {
			sentAt = EventLoop::Clock::now();
			sender.sendTo("x", 1, reader.socket.address());
		});
		auto giveUp = loop.startTimer(1s, [&] { loop.unwatch(reader.socket); });
		reader.then = [&] {
			loop.unwatch(reader.socket);
			loop.cancelTimer(giveUp);
		};
		loop.run();
		REQUIRE(reader.readAt != EventLoop::Clock::time_point());
		CHECK(reader.readAt - sentAt < 50ms);
	}
}
