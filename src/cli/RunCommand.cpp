#include "cli/RunCommand.h"

#include "cli/ArgumentList.h"
#include "cli/ExitStatus.h"
#include "cli/ImportCommand.h"
#include "cli/RunProgress.h"
#include "cli/RunQueue.h"
#include "cli/ServerList.h"
#include "cli/StdoutToStderr.h"
#include "cli/TlsFlags.h"
#include "cli/UsageError.h"
#include "cli/UserConfig.h"
#include "report/JsonLines.h"
#include "report/TestReport.h"

#include <Poco/Path.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <thread>
#include <iostream>

namespace smtpx::cli {

namespace {

// --spin beyond a tenth of a second would be a busy loop, not a wait for a quick reply.
constexpr int kMostSpinMicros = 100000;

} // namespace

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
		"  --timeout SECONDS      default wait for each reply, name lookup and connect (30)\n"
		"  --transcript FILE      also write the transcript to FILE\n"
		"  --parallel N           at most N servers at once (default: all)\n"
		"  --threads N            event loops, each with its own Lua state (default: one per core;\n"
		"                         never more than there are servers)\n"
		"  --spin MICROSECONDS    how long an idle event loop polls before it sleeps (100; 0: never)\n"
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
		"  --json                 a JSON line per server on stdout: server, exit_code, status, error,\n"
		"                         seconds and the table the script returned (what scripts print goes\n"
		"                         to stderr)\n"
		"  --junit FILE           write a JUnit XML report, a test case per server ('-': stdout)\n"
		"  --tap FILE             write a TAP report, a test per server ('-': stdout)\n"
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
		else if (arg == "--spin") options.spinMicros = list.wholeNumberUpTo(arg, kMostSpinMicros);
		else if (arg == "--json") options.json = true;
		else if (arg == "--junit") options.junitFile = list.value(arg);
		else if (arg == "--tap") options.tapFile = list.value(arg);
		else if (takeTlsFlag(arg, list, options.tls)) continue;
		else if (arg.size() > 1 && arg[0] == '-') throw UsageError("unknown option " + arg);
		else if (options.script.empty()) options.script = arg;
		else throw UsageError("unexpected argument '" + arg + "' (only one script per run)");
	}
	if (options.script.empty()) throw UsageError("run needs a script");
	options.reportOnStdout = cli::reportOnStdout(options.json, options.junitFile, options.tapFile);
	return options;
}

bool reportOnStdout(bool json, const std::string& junitFile, const std::string& tapFile)
{
	int reports = int(json) + int(junitFile == "-") + int(tapFile == "-");
	if (reports > 1) throw UsageError("only one of --json, --junit - and --tap - can have stdout");
	return reports == 1;
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

// One event loop with its own Lua state running its share of the servers; returns their runs
// in the order of `servers`.
std::vector<RunOutcome> runShare(const RunOptions& options, const lua::EngineSettings& settings,
	report::Transcript& transcript, const std::string& scriptPath, std::vector<std::string> servers, std::size_t parallel,
	RunProgress* progress)
{
	net::EventLoop loop;
	loop.setSpin(std::chrono::microseconds(options.spinMicros));
	lua::Engine engine(loop, transcript, settings);
	RunQueue queue(engine, scriptPath, options.params, std::move(servers), parallel, progress);
	queue.start();
	engine.run();
	return queue.outcomes();
}

// Every server's run, in the order of options.servers, the servers spread over `threads` event
// loops (shareOf).
std::vector<RunOutcome> runAll(const RunOptions& options, const lua::EngineSettings& settings,
	report::Transcript& transcript, const std::string& scriptPath, std::size_t threads, RunProgress* progress)
{
	std::size_t parallel = options.parallel ? (options.parallel + threads - 1) / threads : 0;
	if (threads == 1) return runShare(options, settings, transcript, scriptPath, options.servers, parallel, progress);

	std::vector<std::vector<RunOutcome>> shares(threads);
	std::vector<std::exception_ptr> errors(threads);
	std::vector<std::thread> workers;
	for (std::size_t i = 0; i < threads; ++i)
	{
		workers.emplace_back([&, i] {
			try
			{
				shares[i] = runShare(options, settings, transcript, scriptPath, shareOf(options.servers, i, threads), parallel,
					progress);
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
	// Thread i ran servers i, i+N, i+2N, ...: its k-th run is server i + k*N.
	std::vector<RunOutcome> outcomes(options.servers.size());
	for (std::size_t i = 0; i < threads; ++i)
		for (std::size_t k = 0; k < shares[i].size(); ++k) outcomes[i + k * threads] = std::move(shares[i][k]);
	return outcomes;
}

// Only what the script gave back: params may hold passwords, so they stay out.
Poco::JSON::Object::Ptr runJson(const RunOptions& options, const RunOutcome& outcome)
{
	Poco::JSON::Object::Ptr object = report::JsonLines::newObject();
	object->set("command", std::string("run"));
	object->set("script", options.script);
	object->set("server", report::JsonLines::orNull(outcome.target));
	object->set("exit_code", outcome.result.exitCode);
	object->set("status", exitStatus(outcome.result.exitCode));
	object->set("error", report::JsonLines::orNull(outcome.result.error));
	object->set("seconds", outcome.seconds);
	object->set("result", outcome.result.value);
	return object;
}

// A test case per server: "send_plain 127.0.0.1:2525".
report::TestCase testCase(const std::string& scriptName, const RunOutcome& outcome)
{
	const lua::RunResult& result = outcome.result;
	std::string name = outcome.target.empty() ? scriptName : scriptName + " " + outcome.target;
	report::TestCase c{name, result.exitCode, result.error, outcome.seconds};
	// A script that returned false, or a code of its own, raised no error that would say why.
	if (c.exitCode && c.message.empty()) c.message = "exit " + std::to_string(c.exitCode) + " (" + exitStatus(c.exitCode) + ")";
	return c;
}

void writeReports(const RunOptions& options, const std::vector<RunOutcome>& outcomes)
{
	if (options.json)
	{
		report::JsonLines lines(std::cout);
		for (const auto& outcome : outcomes) lines.write(runJson(options, outcome));
	}
	if (options.junitFile.empty() && options.tapFile.empty()) return;
	std::string scriptName = Poco::Path(options.script).getBaseName();
	std::vector<report::TestCase> cases;
	for (const auto& outcome : outcomes) cases.push_back(testCase(scriptName, outcome));
	if (!options.junitFile.empty()) writeOutput(options.junitFile, report::junitXml("smtpx.run." + scriptName, cases));
	if (!options.tapFile.empty()) writeOutput(options.tapFile, report::tap(cases));
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

	std::vector<RunOutcome> outcomes;
	{
		std::optional<RunProgress> progress;
		if (RunProgress::wanted(options.servers.size(), options.quiet)) progress.emplace(options.servers.size());
		StdoutToStderr scriptOutput(options.reportOnStdout);
		outcomes = runAll(options, settings, transcript, *scriptPath, threadCount(options), progress ? &*progress : nullptr);
	}
	writeReports(options, outcomes);
	int worst = 0;
	for (const auto& outcome : outcomes) worst = std::max(worst, outcome.result.exitCode);
	return worst;
}

} // namespace smtpx::cli
