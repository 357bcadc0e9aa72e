#include "cli/UserConfig.h"

#include "cli/UsageError.h"
#include "net/Endpoint.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace smtpx::cli {

namespace {

std::string trimmed(const std::string& text)
{
	auto first = text.find_first_not_of(" \t\r");
	if (first == std::string::npos) return {};
	auto last = text.find_last_not_of(" \t\r");
	return text.substr(first, last - first + 1);
}

bool isPositiveNumber(const std::string& text)
{
	char* end = nullptr;
	double value = std::strtod(text.c_str(), &end);
	return end != text.c_str() && *end == '\0' && value > 0;
}

// Checked here so that the message names the file and line, not a --server never typed.
void checkServer(const std::string& value, const std::string& where)
{
	try
	{
		net::Endpoint::parse(value);
	}
	catch (const std::invalid_argument& e)
	{
		throw UsageError(where + "bad server address: " + e.what());
	}
}

std::string nonEmpty(const char* value)
{
	return value ? std::string(value) : std::string();
}

// The default file; empty when there is no home to find it in.
std::string defaultPath()
{
	std::string xdg = nonEmpty(std::getenv("XDG_CONFIG_HOME"));
	if (!xdg.empty()) return xdg + "/smtpx/config";
	std::string home = nonEmpty(std::getenv("HOME"));
	return home.empty() ? std::string() : home + "/.config/smtpx/config";
}

// --set server=HOST is how the bundled scripts also take their server.
bool namesServers(const std::vector<std::string>& commandLine)
{
	for (std::size_t i = 0; i < commandLine.size(); ++i)
	{
		const std::string& arg = commandLine[i];
		if (arg == "--server" || arg == "--servers") return true;
		if (arg == "--set" && i + 1 < commandLine.size() && commandLine[i + 1].rfind("server=", 0) == 0) return true;
	}
	return false;
}

} // namespace

UserConfig UserConfig::load()
{
	std::string path = nonEmpty(std::getenv("SMTPX_CONFIG"));
	bool mustExist = !path.empty();
	if (!mustExist) path = defaultPath();
	if (path.empty()) return {};
	std::ifstream in(path);
	if (!in)
	{
		if (mustExist) throw UsageError("cannot read SMTPX_CONFIG file " + path);
		return {};
	}
	return parse(in, path);
}

UserConfig UserConfig::parse(std::istream& in, const std::string& origin)
{
	UserConfig config;
	std::string line;
	for (int number = 1; std::getline(in, line); ++number)
	{
		std::string text = trimmed(line);
		if (text.empty() || text[0] == '#') continue;
		std::string where = origin + ":" + std::to_string(number) + ": ";
		auto equals = text.find('=');
		if (equals == std::string::npos) throw UsageError(where + "expected KEY = VALUE, not '" + text + "'");
		std::string key = trimmed(text.substr(0, equals));
		std::string value = trimmed(text.substr(equals + 1));
		if (key.empty() || value.empty()) throw UsageError(where + "expected KEY = VALUE, not '" + text + "'");
		if (key == "timeout" && !isPositiveNumber(value))
			throw UsageError(where + "timeout needs a positive number of seconds, not '" + value + "'");
		if (key == "server") checkServer(value, where);
		config._entries.emplace_back(key, value);
	}
	return config;
}

std::vector<std::string> UserConfig::argumentsBefore(const std::vector<std::string>& commandLine) const
{
	std::vector<std::string> args;
	for (const auto& [key, value] : _entries)
	{
		if (key == "server")
		{
			if (!namesServers(commandLine)) args.insert(args.end(), {"--server", value});
		}
		else if (key == "timeout") args.insert(args.end(), {"--timeout", value});
		else args.insert(args.end(), {"--set", key + "=" + value});
	}
	return args;
}

} // namespace smtpx::cli
