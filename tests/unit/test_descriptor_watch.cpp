// DescriptorWatch: the loop learns of input and of the end of a pipe (which the loop's own
// PollSet never shows) without reading or blocking, and a file counts as always readable.
#include "net/DescriptorWatch.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <string>
#include <unistd.h>

using namespace smtpx::net;
using namespace std::chrono_literals;

namespace {

struct Pipe
{
	int fds[2];
	Pipe() { REQUIRE(::pipe(fds) == 0); }
	~Pipe()
	{
		::close(fds[0]);
		if (fds[1] >= 0) ::close(fds[1]);
	}
	void closeWriter()
	{
		::close(fds[1]);
		fds[1] = -1;
	}
};

} // namespace

TEST_CASE("a pipe's data, then its end, are told through the loop, once per arm")
{
	EventLoop loop;
	Pipe pipe;
	std::vector<DescriptorWatch::Readiness> told;
	DescriptorWatch watch(loop, pipe.fds[0], [&](DescriptorWatch::Readiness readiness) { told.push_back(readiness); });
	watch.arm();
	loop.startTimer(20ms, [&] { REQUIRE(::write(pipe.fds[1], "x\n", 2) == 2); });
	loop.run();  // ends after the one answer: an answered watch keeps the loop no longer
	REQUIRE(told.size() == 1);
	CHECK(told[0].readable);
	CHECK_FALSE(told[0].hungUp);

	char byte[4];
	REQUIRE(::read(pipe.fds[0], byte, sizeof byte) == 2);
	watch.arm();
	loop.startTimer(20ms, [&] { pipe.closeWriter(); });
	auto start = std::chrono::steady_clock::now();
	loop.run();
	REQUIRE(told.size() == 2);
	CHECK(told[1].hungUp);
	CHECK_FALSE(told[1].readable);
	CHECK(std::chrono::steady_clock::now() - start < 2s);
}

TEST_CASE("a disarmed watch lets the loop end and loses nothing")
{
	EventLoop loop;
	Pipe pipe;
	int told = 0;
	DescriptorWatch watch(loop, pipe.fds[0], [&](DescriptorWatch::Readiness) { ++told; });
	watch.arm();
	loop.startTimer(10ms, [&] { watch.disarm(); });
	loop.run();
	CHECK(told == 0);
	REQUIRE(::write(pipe.fds[1], "late\n", 5) == 5);
	watch.arm();
	loop.run();
	CHECK(told == 1);
}

TEST_CASE("a regular file (which epoll refuses) is readable at once, to its end")
{
	char path[] = "/tmp/smtpx-watch-XXXXXX";
	int fd = ::mkstemp(path);
	REQUIRE(fd >= 0);
	::unlink(path);
	EventLoop loop;
	bool readable = false;
	DescriptorWatch watch(loop, fd, [&](DescriptorWatch::Readiness readiness) { readable = readiness.readable; });
	watch.arm();
	loop.run();
	CHECK(readable);
	::close(fd);
}

TEST_CASE("destroying a watch whose helper waits ends the helper")
{
	EventLoop loop;
	Pipe pipe;
	auto start = std::chrono::steady_clock::now();
	{
		DescriptorWatch watch(loop, pipe.fds[0], [](DescriptorWatch::Readiness) {});
		watch.arm();
	}
	CHECK(std::chrono::steady_clock::now() - start < 1s);
}
