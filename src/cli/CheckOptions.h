// CheckOptions: what `smtpx check` (and each module of `smtpx serve`) is asked to do — the
// servers, the parameters for scripts/check.lua, the thresholds and the output format.
#pragma once

#include "lua/Engine.h"
#include "net/TlsOptions.h"
#include "report/CheckPolicy.h"

#include <string>
#include <vector>

namespace smtpx::cli {

struct CheckOptions
{
	enum class Format { Nagios, Prometheus, Json, JsonLines };

	std::vector<std::string> servers;
	lua::ScriptParams params;      // for check.lua: stop_after, helo, starttls, reject, ...
	net::TlsOptions tls;           // the --tls-* flags, defaults for every handshake
	report::CheckPolicy policy;
	Format format = Format::Nagios;
	double timeout = 10.0;         // seconds for the whole check of one server
	std::size_t parallel = 0;      // 0: all servers at once
	bool verbose = false;          // the transcript on stderr
	std::string transcriptFile;

	// Throws UsageError for anything it cannot take.
	static CheckOptions parse(const std::vector<std::string>& args);
};

const char* checkUsage();

} // namespace smtpx::cli
