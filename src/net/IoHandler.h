// IoHandler: what the event loop calls when a watched socket is ready.
#pragma once

namespace smtpx::net {

class IoHandler
{
public:
	virtual ~IoHandler() = default;
	virtual void onReadable() = 0;
	virtual void onWritable() = 0;
};

} // namespace smtpx::net
