#include "cli/CheckOptions.h"

#include "cli/ArgumentList.h"
#include "cli/RunCommand.h"
#include "cli/ServerList.h"
#include "cli/TlsFlags.h"
#include "cli/UsageError.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

namespace smtpx::cli {

namespace {

// Phases a user may stop after, in dialogue order; QUIT always follows.
const std::vector<std::string> kStopPhases{"connect", "banner", "ehlo", "starttls", "auth", "mail", "rcpt", "data"};

std::size_t stopIndex(const std::string& phase)
{
	auto found = std::find(kStopPhases.begin(), kStopPhases.end(), phase);
	if (found == kStopPhases.end())
		throw UsageError("--stop-after takes connect, banner, ehlo, starttls, auth, mail, rcpt or data, not '" + phase + "'");
	return static_cast<std::size_t>(found - kStopPhases.begin());
}

report::NagiosRange parseRange(const std::string& option, const std::string& text)
{
	try
	{
		return report::NagiosRange::parse(text);
	}
	catch (const std::invalid_argument& e)
	{
		throw UsageError(option + ": " + e.what());
	}
}

// Reads "-w RANGE" (the total time) or "-w PHASE=RANGE" into the thresholds it names.
class ThresholdReader
{
public:
	void add(const std::string& option, const std::string& value, bool critical)
	{
		auto equals = value.find('=');
		std::string phase = equals == std::string::npos ? "" : value.substr(0, equals);
		report::NagiosRange range = parseRange(option, value.substr(equals == std::string::npos ? 0 : equals + 1));
		report::Thresholds& thresholds = phase.empty() ? _total : _phases[phase];
		(critical ? thresholds.critical : thresholds.warning) = range;
	}

	// Phase names outside the built-in ones are only known to a custom dialogue.
	void applyTo(report::CheckPolicy& policy, bool customDialogue) const
	{
		const auto& builtIn = report::CheckPolicy::phaseNames();
		policy.setTotal(_total);
		for (const auto& [phase, thresholds] : _phases)
		{
			if (!customDialogue && std::find(builtIn.begin(), builtIn.end(), phase) == builtIn.end())
				throw UsageError("no phase '" + phase + "' to set a threshold on (dns connect banner ehlo starttls auth mail rcpt data quit)");
			policy.setPhase(phase, thresholds);
		}
	}

private:
	report::Thresholds _total;
	std::map<std::string, report::Thresholds> _phases;
};

CheckOptions::Format parseFormat(const std::string& text)
{
	if (text == "nagios") return CheckOptions::Format::Nagios;
	if (text == "prometheus") return CheckOptions::Format::Prometheus;
	if (text == "json") return CheckOptions::Format::Json;
	throw UsageError("--format takes nagios, prometheus or json, not '" + text + "'");
}

void addListParam(lua::ScriptParams& params, const std::string& key, const std::string& item)
{
	if (item.find('\n') != std::string::npos) throw UsageError("--" + key + " must be one line");
	std::string& list = params[key];
	list += (list.empty() ? "" : "\n") + item;
}

std::string paramOr(const lua::ScriptParams& params, const std::string& key, const std::string& fallback)
{
	auto found = params.find(key);
	return found == params.end() ? fallback : found->second;
}

// What the phase to stop after needs from the rest of the command line.
void checkPlan(lua::ScriptParams& params)
{
	std::string stopAfter = paramOr(params, "stop_after", "ehlo");
	std::size_t stop = stopIndex(stopAfter);
	if (stopAfter == "starttls") params["starttls"] = "1";
	if (params.count("tls") && params.count("starttls"))
		throw UsageError("--tls (TLS from the start) and --starttls exclude each other");
	if (stopAfter == "auth" && !params.count("auth_user"))
		throw UsageError("--stop-after auth needs --auth-user and --auth-password");
	if (params.count("auth_user") != params.count("auth_password"))
		throw UsageError("--auth-user and --auth-password go together");
	if (stop >= stopIndex("rcpt") && !params.count("to"))
		throw UsageError("--stop-after " + stopAfter + " needs a recipient: --to ADDRESS");
}

} // namespace

const char* checkUsage()
{
	return "smtpx check " SMTPX_VERSION " - health check of SMTP servers (Monitoring Plugins, Prometheus, JSON)\n"
		"\n"
		"usage: smtpx check -H HOST[:PORT] [options]\n"
		"\n"
		"Servers (checked concurrently; the exit code is the worst state):\n"
		"  -H, --server HOST[:PORT]   server to check (repeatable; port 25 by default)\n"
		"  --servers FILE             servers, one per line (# comments)\n"
		"  --parallel N               at most N checks at once (default: all)\n"
		"Dialogue (phases: dns connect banner ehlo starttls auth mail rcpt data quit):\n"
		"  --stop-after PHASE         connect|banner|ehlo|starttls|auth|mail|rcpt|data (ehlo);\n"
		"                             QUIT follows; no message is sent unless PHASE is data\n"
		"  --helo NAME                name for EHLO (localhost)\n"
		"  --starttls                 STARTTLS after EHLO, then EHLO again\n"
		"  --tls                      TLS from the first byte (port 465)\n"
		"  --tls-ca-file FILE         trust the CAs in FILE (PEM) instead of the system's\n"
		"  --tls-ca-dir DIR           ... or those in DIR (hashed, openssl rehash)\n"
		"  --tls-cert FILE            client certificate (PEM); --tls-key FILE its key\n"
		"  --tls-min-version 1.2|1.3  lowest TLS version (1.2)\n"
		"  --tls-ciphers LIST         OpenSSL cipher list and/or TLS 1.3 suites\n"
		"  --insecure                 go on whatever the certificate (its faults still show)\n"
		"  --auth-user USER           AUTH after EHLO (with --auth-password)\n"
		"  --auth-password PASSWORD\n"
		"  --auth-mechanism MECH      PLAIN, LOGIN, CRAM-MD5 (default: the strongest offered)\n"
		"  --from ADDRESS             MAIL FROM (default: the null sender <>)\n"
		"  --to ADDRESS               RCPT TO (needed for rcpt and data)\n"
		"  --dialogue FILE            a Lua file returning function(check) that drives the dialogue\n"
		"  --set KEY=VALUE            a parameter for the dialogue script (check.params.KEY)\n"
		"Expectations (each failure is CRITICAL):\n"
		"  --expect-banner REGEX      the banner must match (PCRE, searched in the reply lines)\n"
		"  --require CAPABILITY       EHLO must offer it: STARTTLS, PIPELINING, \"AUTH PLAIN\", ...\n"
		"                             (repeatable)\n"
		"  --reject REGEX             fail at once on any reply whose lines match\n"
		"Thresholds (Nagios ranges: 10, 10:, ~:10, 10:20, @10:20; seconds):\n"
		"  -w, --warning [PHASE=]RANGE   on the total time, or on one phase (repeatable)\n"
		"  -c, --critical [PHASE=]RANGE\n"
		"  --cert-warning DAYS        WARNING when the certificate has fewer days left\n"
		"  --cert-critical DAYS       CRITICAL when it has fewer days left\n"
		"Output:\n"
		"  --format FORMAT            nagios (default), prometheus or json (an array of all servers)\n"
		"  --json                     a JSON line per server, as --format json gives each (what a\n"
		"                             --dialogue script prints goes to stderr)\n"
		"  -t, --timeout SECONDS      for the whole check of one server (10)\n"
		"  -v, --verbose              the dialogue on stderr\n"
		"  --transcript FILE          the dialogue in FILE\n"
		"  -h, --help                 this text\n"
		"  -V, --version              the version\n"
		"\n"
		"Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also for --help, --version and bad\n"
		"options, as the Monitoring Plugins guidelines ask).\n";
}

CheckOptions CheckOptions::parse(const std::vector<std::string>& args)
{
	CheckOptions options;
	ThresholdReader thresholds;
	auto& params = options.params;
	ArgumentList list(args);
	while (!list.done())
	{
		std::string arg = list.take();
		if (arg == "-H" || arg == "--server") options.servers.push_back(checkedServer(list.value(arg)));
		else if (arg == "--servers") readServersFile(list.value(arg), options.servers);
		else if (arg == "--parallel") options.parallel = static_cast<std::size_t>(list.positiveInteger(arg));
		else if (arg == "--stop-after") params["stop_after"] = list.value(arg);
		else if (arg == "--helo") params["helo"] = list.value(arg);
		else if (arg == "--starttls") params["starttls"] = "1";
		else if (arg == "--tls") params["tls"] = "1";
		else if (takeTlsFlag(arg, list, options.tls)) continue;
		else if (arg == "--auth-user") params["auth_user"] = list.value(arg);
		else if (arg == "--auth-password") params["auth_password"] = list.value(arg);
		else if (arg == "--auth-mechanism") params["auth_mechanism"] = list.value(arg);
		else if (arg == "--from") params["from"] = list.value(arg);
		else if (arg == "--to") params["to"] = list.value(arg);
		else if (arg == "--dialogue") params["dialogue"] = list.value(arg);
		else if (arg == "--set") addParam(params, list.value(arg));
		else if (arg == "--expect-banner") params["expect_banner"] = list.value(arg);
		else if (arg == "--require") addListParam(params, "require", list.value(arg));
		else if (arg == "--reject") params["reject"] = list.value(arg);
		else if (arg == "-w" || arg == "--warning") thresholds.add(arg, list.value(arg), false);
		else if (arg == "-c" || arg == "--critical") thresholds.add(arg, list.value(arg), true);
		else if (arg == "--cert-warning") options.policy.setCertWarningDays(list.positiveNumber(arg));
		else if (arg == "--cert-critical") options.policy.setCertCriticalDays(list.positiveNumber(arg));
		else if (arg == "--format") options.format = parseFormat(list.value(arg));
		else if (arg == "--json") options.format = Format::JsonLines;
		else if (arg == "-t" || arg == "--timeout") options.timeout = list.positiveNumber(arg);
		else if (arg == "-v" || arg == "--verbose") options.verbose = true;
		else if (arg == "--transcript") options.transcriptFile = list.value(arg);
		else throw UsageError(arg.size() > 1 && arg[0] == '-' ? "unknown option " + arg : "unexpected argument '" + arg + "'");
	}
	// One result per server: a server named twice would give two results under one name.
	std::set<std::string> seen;
	std::erase_if(options.servers, [&seen](const std::string& server) { return !seen.insert(server).second; });
	thresholds.applyTo(options.policy, params.count("dialogue") > 0);
	checkPlan(params);
	return options;
}

} // namespace smtpx::cli
