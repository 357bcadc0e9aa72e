// RunCommand: `smtpx run SCRIPT ...` — runs a script once per server, all on one event loop.
#pragma once

#include "cli/DataPaths.h"
#include "lua/Engine.h"

#include <string>
#include <vector>

namespace smtpx::cli {

struct RunOptions
{
	std::string script;
	std::vector<std::string> servers;
	lua::ScriptParams params;
	double timeout = 30.0;
	std::string transcriptFile;
	std::size_t parallel = 0;  // 0: all servers at once
	bool quiet = false;
	bool sandbox = false;
	double busyLimit = 10.0;
	double memoryLimitMib = 1024;
	std::size_t threads = 0;   // event loops, each with its own Lua state; 0: one per core
	net::TlsOptions tls;

	// Throws UsageError for anything it cannot take.
	static RunOptions parse(const std::vector<std::string>& args);
};

// Adds "KEY=VALUE" (the value of --set) to params; throws UsageError for anything else.
void addParam(lua::ScriptParams& params, const std::string& assignment);

// Returns the process exit code: the highest of the runs' codes.
int runCommand(const RunOptions& options, const DataPaths& paths);

const char* runUsage();

} // namespace smtpx::cli
