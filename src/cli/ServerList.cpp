#include "cli/ServerList.h"

#include "cli/UsageError.h"
#include "net/Endpoint.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace smtpx::cli {

std::string checkedServer(const std::string& text)
{
	try
	{
		return net::Endpoint::parse(text).toString();
	}
	catch (const std::invalid_argument& e)
	{
		throw UsageError(std::string("bad server address: ") + e.what());
	}
}

void readServersFile(const std::string& path, std::vector<std::string>& servers)
{
	// A directory opens as a stream that reads nothing: it must not pass for an empty list.
	std::ifstream in(path);
	if (!in || std::filesystem::is_directory(path)) throw UsageError("cannot read servers file " + path);
	const std::size_t before = servers.size();
	std::string line;
	while (std::getline(in, line))
	{
		line.erase(0, line.find_first_not_of(" \t\r"));
		line.erase(line.find_last_not_of(" \t\r") + 1);
		if (!line.empty() && line[0] != '#') servers.push_back(checkedServer(line));
	}
	// Else the script would run once without a server, which no one asking for a list means.
	if (servers.size() == before) throw UsageError("no servers in " + path);
}

} // namespace smtpx::cli
