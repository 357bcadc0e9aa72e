#include "smtp/Reply.h"

namespace smtpx::smtp {

namespace {

std::string joined(const std::vector<std::string>& items)
{
	std::string joined;
	for (std::size_t i = 0; i < items.size(); ++i)
	{
		if (i > 0)
			joined += '\n';
		joined += items[i];
	}
	return joined;
}

} // namespace

std::string Reply::text() const
{
	return joined(texts);
}

std::string Reply::joinedLines() const
{
	return joined(lines);
}

} // namespace smtpx::smtp
