// ServeCommand: `smtpx serve` — a Prometheus exporter: GET /probe?target=HOST:PORT&module=NAME
// checks one server with a module (named check options, ServeConfig) and answers in the
// Prometheus text format, so an existing Prometheus schedules the checks of a whole fleet.
#pragma once

#include "cli/DataPaths.h"

#include <string>
#include <vector>

namespace smtpx::cli {

struct ServeOptions
{
	std::string listen = "127.0.0.1:9125";
	std::string configFile;         // empty: only the module "default"
	int maxConcurrent = 32;         // probes at once; more requests wait in a queue
	bool verbose = false;           // a line per probe on stderr
	bool json = false;              // a JSON line per probe on stdout (instead of -v's line)
	bool help = false;

	// Throws UsageError for anything it cannot take.
	static ServeOptions parse(const std::vector<std::string>& args);
};

// Serves until SIGINT or SIGTERM; returns the exit code. --help prints the usage. Throws
// UsageError for bad options or a bad configuration file.
int serveCommand(const std::vector<std::string>& args, const DataPaths& paths);

} // namespace smtpx::cli
