// startHelperThread: a thread that takes no signal. Signals belong to the event loop's thread
// (Ctrl-C, and SIGWINCH for libedit's handlers); a helper only waits on something that blocks.
#pragma once

#include <csignal>
#include <pthread.h>
#include <thread>
#include <utility>

namespace smtpx::net {

template <typename Fn>
std::thread startHelperThread(Fn&& fn)
{
	sigset_t all, previous;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &previous);
	std::thread thread(std::forward<Fn>(fn));  // inherits the mask
	pthread_sigmask(SIG_SETMASK, &previous, nullptr);
	return thread;
}

} // namespace smtpx::net
