// SocketPair: a connected pair of local stream sockets, for a helper thread to ring the event
// loop. The loop's end is a Poco socket, so the loop's PollSet can watch it; the helper's end is
// a plain descriptor.
#pragma once

#include <Poco/Net/Socket.h>

namespace smtpx::net {

struct SocketPair
{
	// Throws std::runtime_error naming `purpose` when the system has no socket to give.
	static SocketPair make(const char* purpose);

	Poco::Net::Socket loopEnd;  // closed with its last copy
	int helperEnd;              // the owner closes it
};

} // namespace smtpx::net
