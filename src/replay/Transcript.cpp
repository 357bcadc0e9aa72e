#include "replay/Transcript.h"

namespace smtpx::replay {

std::string Transcript::meta(std::string_view key) const
{
	for (const auto& [name, value] : metadata)
		if (name == key) return value;
	return {};
}

void Transcript::setMeta(const std::string& key, std::string value)
{
	for (auto& [name, old] : metadata)
	{
		if (name != key) continue;
		old = std::move(value);
		return;
	}
	metadata.emplace_back(key, std::move(value));
}

} // namespace smtpx::replay
