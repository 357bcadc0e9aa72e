// DescriptorWatch: tells the event loop when stdin (or another descriptor that is no socket) has
// input or has ended, so it is read only when a read cannot block. The loop's PollSet cannot
// watch such a descriptor itself: epoll refuses regular files and /dev/null, and Poco drops
// EPOLLHUP, so the end of a pipe would never show. A helper thread poll()s it instead, and rings
// a socket pair the loop watches. The helper only waits; the owner reads, on the loop's thread.
#pragma once

#include "net/EventLoop.h"
#include "net/IoHandler.h"

#include <Poco/Net/Socket.h>

#include <functional>
#include <thread>

namespace smtpx::net {

class DescriptorWatch : private IoHandler
{
public:
	struct Readiness
	{
		bool readable;  // a read returns at once (with data, or 0 at the end of a file or pipe)
		bool hungUp;    // the other end is gone: a closed terminal, a pipe without writer
	};

	// `onReady` comes from the loop once per arm(), when the descriptor is readable or hung up.
	DescriptorWatch(EventLoop& loop, int fd, std::function<void(Readiness)> onReady);
	~DescriptorWatch() override;
	DescriptorWatch(const DescriptorWatch&) = delete;
	DescriptorWatch& operator=(const DescriptorWatch&) = delete;

	void arm();
	// Stops watching until the next arm(); nothing is lost, and the loop may end meanwhile.
	void disarm();

private:
	void onReadable() override;
	void onWritable() override {}
	static void waitForInput(int fd, int bell);

	EventLoop& _loop;
	std::function<void(Readiness)> _onReady;
	Poco::Net::Socket _bell;    // the loop's end of the socket pair
	int _helperBell;            // the helper's end
	std::thread _helper;
	bool _helperPolls = false;  // the helper was asked and has not answered yet
};

} // namespace smtpx::net
