#include "net/DescriptorWatch.h"

#include "net/HelperThread.h"
#include "net/SocketPair.h"

#include <cerrno>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace smtpx::net {

namespace {

constexpr char kAsk = '?';
// Answers: bit 1 readable, bit 2 hung up.
constexpr char kReadableBit = 1;
constexpr char kHungUpBit = 2;

} // namespace

DescriptorWatch::DescriptorWatch(EventLoop& loop, int fd, std::function<void(Readiness)> onReady):
	_loop(loop),
	_onReady(std::move(onReady))
{
	SocketPair pair = SocketPair::make("watch the console");
	_bell = pair.loopEnd;
	_helperBell = pair.helperEnd;
	_helper = startHelperThread([fd, bell = _helperBell] { waitForInput(fd, bell); });
}

DescriptorWatch::~DescriptorWatch()
{
	_loop.unwatch(_bell);
	// The helper's read or poll of its end sees the end of the pair and returns.
	::shutdown(_bell.impl()->sockfd(), SHUT_RDWR);
	_helper.join();
	::close(_helperBell);
}

// The helper: for each question, waits until `fd` is readable (or hung up) and answers which.
// It ends when the owner closes its end of the pair.
void DescriptorWatch::waitForInput(int fd, int bell)
{
	char question;
	while (::recv(bell, &question, 1, 0) == 1)
	{
		pollfd watched[2] = {{fd, POLLIN, 0}, {bell, POLLIN, 0}};
		int ready;
		do ready = ::poll(watched, 2, -1);
		while (ready < 0 && errno == EINTR);
		if (ready > 0 && watched[1].revents) return;
		// A descriptor poll() cannot take counts as ended: the owner must not wait for it forever.
		char answer = 0;
		if (ready > 0 && (watched[0].revents & POLLIN)) answer |= kReadableBit;
		if (ready < 0 || (watched[0].revents & (POLLHUP | POLLERR | POLLNVAL))) answer |= kHungUpBit;
		if (::send(bell, &answer, 1, MSG_NOSIGNAL) != 1) return;
	}
}

void DescriptorWatch::arm()
{
	if (!_helperPolls)
	{
		// A helper that is gone makes the bell readable with nothing in it: ended, below.
		::send(_bell.impl()->sockfd(), &kAsk, 1, MSG_NOSIGNAL);
		_helperPolls = true;
	}
	_loop.watch(_bell, *this, true, false);
}

void DescriptorWatch::disarm()
{
	_loop.unwatch(_bell);
}

void DescriptorWatch::onReadable()
{
	char answer;
	if (::recv(_bell.impl()->sockfd(), &answer, 1, 0) != 1) answer = kHungUpBit;
	_helperPolls = false;
	_loop.unwatch(_bell);
	_onReady({(answer & kReadableBit) != 0, (answer & kHungUpBit) != 0});
}

} // namespace smtpx::net
