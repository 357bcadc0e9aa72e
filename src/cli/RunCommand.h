// RunCommand: `smtpx run SCRIPT ...` — runs a script once per server, all on one event loop.
#pragma once

#include "cli/DataPaths.h"
#include "lua/Engine.h"
#include "net/EventLoop.h"

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
	int spinMicros = static_cast<int>(net::EventLoop::kDefaultSpin.count());  // polling before a loop sleeps
	net::TlsOptions tls;
	bool json = false;         // a JSON line per run on stdout
	std::string junitFile;     // a JUnit XML report, a test case per run ("-": stdout)
	std::string tapFile;       // a TAP report ("-": stdout)
	bool reportOnStdout = false;  // one of them has stdout, which then holds that report only

	// Throws UsageError for anything it cannot take.
	static RunOptions parse(const std::vector<std::string>& args);
};

// Whether --json, --junit - or --tap - has stdout; throws UsageError when more than one asks for it.
bool reportOnStdout(bool json, const std::string& junitFile, const std::string& tapFile);

// Adds "KEY=VALUE" (the value of --set) to params; throws UsageError for anything else.
void addParam(lua::ScriptParams& params, const std::string& assignment);

// Returns the process exit code: the highest of the runs' codes.
int runCommand(const RunOptions& options, const DataPaths& paths);

const char* runUsage();

} // namespace smtpx::cli
