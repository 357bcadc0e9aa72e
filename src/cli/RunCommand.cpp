#include "cli/RunCommand.h"

#include "cli/ArgumentList.h"
#include "cli/RunProgress.h"
#include "cli/RunQueue.h"
#include "cli/ServerList.h"
#include "cli/TlsFlags.h"
#include "cli/UsageError.h"
#include "cli/UserConfig.h"

#include <algorithm>
#include <exception>
#include <optional>
#include <thread>
#include <iostream>

namespace smtpx::cli {

void addParam(lua::ScriptParams& params, const std::string& assignment)
{
	auto equals = assignment.find('=');
	if (equals == std::string::npos || equals == 0)
		throw UsageError("--set needs KEY=VALUE, not '" + assignment + "'");
	params[assignment.substr(0, equals)] = assignment.substr(equals + 1);
}

const char* runUsage()
{
	return "usage: smtpx run SCRIPT [options]\n"
		"  SCRIPT                 a Lua file, or the name of a bundled script (smtpx list)\n"
		"  --server HOST[:PORT]   server to talk to (repeatable; [v6addr]:port for IPv6)\n"
		"  --servers FILE         servers, one per line (# comments)\n"
		"  --set KEY=VALUE        script parameter, seen as params.KEY (repeatable)\n"
		"  --timeout SECONDS      default wait for each reply and connect (30)\n"
		"  --transcript FILE      also write the transcript to FILE\n"
		"  --parallel N           at most N servers at once (default: all)\n"
		"  --threads N            event loops, each with its own Lua state (default: one per core;\n"
		"                         never more than there are servers)\n"
		"  --quiet                print errors only (and, on a terminal, a progress line)\n"
		"  --sandbox              no os.execute, io.popen, file writes or binary chunks\n"
		"  --busy-limit SECONDS   longest a script may compute without waiting (10)\n"
		"  --memory-limit MIB     most memory the scripts' Lua values may take (1024)\n"
		"  --tls-ca-file FILE     trust the CAs in FILE (PEM) instead of the system's\n"
		"  --tls-ca-dir DIR       trust the CAs in DIR (hashed, openssl rehash) instead\n"
		"  --tls-cert FILE        client certificate (PEM)\n"
		"  --tls-key FILE         its private key (default: in the --tls-cert file)\n"
		"  --tls-min-version V    lowest TLS version, 1.2 (default) or 1.3\n"
		"  --tls-ciphers LIST     OpenSSL cipher list and/or TLS 1.3 suites (TLS_...)\n"
		"  --insecure             accept any server certificate (the transcript warns)\n"
		"Defaults for server, timeout and --set params: key = value lines in ~/.config/smtpx/config\n"
		"or $SMTPX_CONFIG (man smtpx); the command line wins.\n";
}

RunOptions RunOptions::parse(const std::vector<std::string>& commandLine)
{
	RunOptions options;
	// The user's defaults go first, so that the command line's own options win.
	std::vector<std::string> args = UserConfig::load().argumentsBefore(commandLine);
	args.insert(args.end(), commandLine.begin(), commandLine.end());
	ArgumentList list(args);
	while (!list.done())
	{
		std::string arg = list.take();
		if (arg == "--server") options.servers.push_back(checkedServer(list.value(arg)));
		else if (arg == "--servers") readServersFile(list.value(arg), options.servers);
		else if (arg == "--set") addParam(options.params, list.value(arg));
		else if (arg == "--timeout") options.timeout = list.positiveNumber(arg);
		else if (arg == "--transcript") options.transcriptFile = list.value(arg);
		else if (arg == "--parallel") options.parallel = static_cast<std::size_t>(list.positiveInteger(arg));
		else if (arg == "--quiet" || arg == "-q") options.quiet = true;
		else if (arg == "--sandbox") options.sandbox = true;
		else if (arg == "--busy-limit") options.busyLimit = list.positiveNumber(arg);
		else if (arg == "--memory-limit") options.memoryLimitMib = list.positiveNumber(arg);
		else if (arg == "--threads") options.threads = static_cast<std::size_t>(list.positiveInteger(arg));
		else if (takeTlsFlag(arg, list, options.tls)) continue;
		else if (arg.size() > 1 && arg[0] == '-') throw UsageError("unknown option " + arg);
		else if (options.script.empty()) options.script = arg;
		else throw UsageError("unexpected argument '" + arg + "' (only one script per run)");
	}
	if (options.script.empty()) throw UsageError("run needs a script");
	return options;
}

namespace {

std::size_t threadCount(const RunOptions& options)
{
	std::size_t wanted = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
	return std::clamp<std::size_t>(options.servers.size(), 1, wanted);
}

// Every `threads`-th server from `first` on: thread i takes servers i, i+N, i+2N, ...
std::vector<std::string> shareOf(const std::vector<std::string>& servers, std::size_t first, std::size_t threads)
{
	std::vector<std::string> share;
	for (std::size_t i = first; i < servers.size(); i += threads) share.push_back(servers[i]);
	return share;
}

// One event loop with its own Lua state running its share of the servers; returns the worst
// exit code of its runs.
int runShare(const RunOptions& options, const lua::EngineSettings& settings, report::Transcript& transcript,
	const std::string& scriptPath, std::vector<std::string> servers, std::size_t parallel, RunProgress* progress)
{
	net::EventLoop loop;
	lua::Engine engine(loop, transcript, settings);
	RunQueue queue(engine, scriptPath, options.params, std::move(servers), parallel, progress);
	queue.start();
	engine.run();
	int worst = 0;
	for (const auto& result : engine.results()) worst = std::max(worst, result.exitCode);
	return worst;
}

} // namespace

int runCommand(const RunOptions& options, const DataPaths& paths)
{
	auto scriptPath = paths.findScript(options.script);
	if (!scriptPath) throw UsageError("no script '" + options.script + "' (not a file, nor a bundled script)");

	report::Transcript transcript(std::cerr,
		report::Transcript::Options::forConsole(options.quiet, options.servers.size() > 1, options.transcriptFile));

	lua::EngineSettings settings = paths.engineSettings(options.timeout);
	settings.sandbox = options.sandbox;
	settings.tls = options.tls;
	settings.busyLimit = options.busyLimit;
	settings.memoryLimit = static_cast<std::size_t>(options.memoryLimitMib * 1024 * 1024);

	std::size_t threads = threadCount(options);
	std::size_t parallel = options.parallel ? (options.parallel + threads - 1) / threads : 0;
	std::optional<RunProgress> progress;
	if (RunProgress::wanted(options.servers.size(), options.quiet)) progress.emplace(options.servers.size());
	RunProgress* progressLine = progress ? &*progress : nullptr;
	if (threads == 1) return runShare(options, settings, transcript, *scriptPath, options.servers, parallel, progressLine);

	std::vector<int> worst(threads, 0);
	std::vector<std::exception_ptr> errors(threads);
	std::vector<std::thread> workers;
	for (std::size_t i = 0; i < threads; ++i)
	{
		workers.emplace_back([&, i] {
			try
			{
				worst[i] = runShare(options, settings, transcript, *scriptPath, shareOf(options.servers, i, threads), parallel,
					progressLine);
			}
			catch (...)
			{
				errors[i] = std::current_exception();
			}
		});
	}
	for (auto& worker : workers) worker.join();
	for (const auto& error : errors)
		if (error) std::rethrow_exception(error);
	return *std::max_element(worst.begin(), worst.end());
}

} // namespace smtpx::cli
