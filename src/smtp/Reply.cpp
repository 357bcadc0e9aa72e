#include "smtp/Reply.h"

namespace smtpx::smtp {

std::string Reply::text() const
{
	std::string joined;
	for (std::size_t i = 0; i < texts.size(); ++i)
	{
		if (i > 0)
			joined += '\n';
		joined += texts[i];
	}
	return joined;
}

} // namespace smtpx::smtp
