#include "net/DescriptorWatch.h"

#include <Poco/Net/SocketImpl.h>

#include <cerrno>
#include <csignal>
#include <poll.h>
#include <pthread.h>
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

// A socket pair's end as a Poco socket, so the loop can watch it; closed with its last copy.
class PairEnd : public Poco::Net::SocketImpl
{
public:
	explicit PairEnd(int fd): SocketImpl(fd) {}
};

class PairSocket : public Poco::Net::Socket
{
public:
	explicit PairSocket(int fd): Socket(new PairEnd(fd)) {}
};

// The helper takes no signal: Ctrl-C and SIGWINCH belong to the loop's thread (libedit's handlers).
std::thread startWithoutSignals(void (*fn)(int, int), int fd, int bell)
{
	sigset_t all, previous;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &previous);
	std::thread thread(fn, fd, bell);
	pthread_sigmask(SIG_SETMASK, &previous, nullptr);
	return thread;
}

} // namespace

DescriptorWatch::DescriptorWatch(EventLoop& loop, int fd, std::function<void(Readiness)> onReady):
	_loop(loop),
	_onReady(std::move(onReady))
{
	int pair[2];
	if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
		throw std::runtime_error("cannot watch the console: socketpair failed");
	_bell = PairSocket(pair[0]);
	_helperBell = pair[1];
	_helper = startWithoutSignals(waitForInput, fd, _helperBell);
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
