#include "cli/ServeCommand.h"

#include "cli/ArgumentList.h"
#include "cli/ServeConfig.h"
#include "cli/ServeHandlerFactory.h"
#include "cli/ServeProbeLog.h"
#include "cli/ServeStats.h"
#include "cli/UsageError.h"

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>

#include <csignal>
#include <iostream>

namespace smtpx::cli {

namespace {

Poco::Net::SocketAddress listenAddress(const std::string& text)
{
	try
	{
		return Poco::Net::SocketAddress(text);
	}
	catch (const Poco::Exception& e)
	{
		throw UsageError("--listen needs HOST:PORT, not '" + text + "' (" + e.displayText() + ")");
	}
}

// SIGINT and SIGTERM are blocked before the server's threads start (they inherit the mask), so
// only sigwait() here sees them and the server stops in an orderly way.
sigset_t terminationSignals()
{
	sigset_t signals;
	sigemptyset(&signals);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGTERM);
	return signals;
}

// --json wins over -v: its lines are the probe log, on stdout.
ServeProbeLog::Mode probeLogMode(const ServeOptions& options)
{
	if (options.json) return ServeProbeLog::Mode::Json;
	return options.verbose ? ServeProbeLog::Mode::Text : ServeProbeLog::Mode::Off;
}

constexpr const char* kUsage =
	"usage: smtpx serve [options]\n"
	"A Prometheus exporter: GET /probe?target=HOST[:PORT]&module=NAME checks the server with the\n"
	"module's options (smtpx check --help) and answers with probe_success, probe_duration_seconds,\n"
	"probe_phase_duration_seconds, ...; GET /metrics reports the exporter itself.\n"
	"  --listen HOST:PORT     where to listen (127.0.0.1:9125; port 0 picks a free one)\n"
	"  --config FILE          modules, as JSON: {\"modules\": {\"NAME\": {\"stop-after\": \"rcpt\", ...}}}\n"
	"                         (see docs/health-checks.md); without it only \"default\" exists\n"
	"  --max-concurrent N     probes at once (32); more requests wait\n"
	"  -v, --verbose          a line per probe on stderr\n"
	"  --json                 a JSON line per probe on stdout instead: target, module, state,\n"
	"                         success, seconds, reason\n";

} // namespace

ServeOptions ServeOptions::parse(const std::vector<std::string>& args)
{
	ServeOptions options;
	ArgumentList list(args);
	while (!list.done())
	{
		std::string arg = list.take();
		if (arg == "--listen") options.listen = list.value(arg);
		else if (arg == "--config") options.configFile = list.value(arg);
		else if (arg == "--max-concurrent") options.maxConcurrent = list.positiveInteger(arg);
		else if (arg == "-v" || arg == "--verbose") options.verbose = true;
		else if (arg == "--json") options.json = true;
		else if (arg == "-h" || arg == "--help") options.help = true;
		else throw UsageError(arg.size() > 1 && arg[0] == '-' ? "unknown option " + arg : "unexpected argument '" + arg + "'");
	}
	return options;
}

int serveCommand(const std::vector<std::string>& args, const DataPaths& paths)
{
	ServeOptions options = ServeOptions::parse(args);
	if (options.help)
	{
		std::cout << kUsage;
		return 0;
	}
	ServeConfig config = options.configFile.empty() ? ServeConfig() : ServeConfig::load(options.configFile);
	ServeStats stats;
	ServeProbeLog log(probeLogMode(options));
	sigset_t signals = terminationSignals();
	pthread_sigmask(SIG_BLOCK, &signals, nullptr);

	Poco::Net::ServerSocket socket(listenAddress(options.listen));
	auto* params = new Poco::Net::HTTPServerParams;
	params->setMaxThreads(options.maxConcurrent);
	params->setMaxQueued(4 * options.maxConcurrent);
	// An idle keep-alive connection would hold one of the few probe threads; a new connection
	// per probe costs nothing next to the probe.
	params->setKeepAlive(false);
	Poco::ThreadPool threads(1, options.maxConcurrent);
	Poco::Net::HTTPServer server(new ServeHandlerFactory(config, paths, stats, log), threads, socket, params);
	server.start();
	std::cerr << "smtpx serve: listening on http://" << socket.address().toString() << "/ (modules: "
		<< config.moduleNames() << ")" << std::endl;

	int received = 0;
	sigwait(&signals, &received);
	std::cerr << "smtpx serve: stopping (signal " << received << ")" << std::endl;
	server.stopAll(true);
	threads.joinAll();
	return 0;
}

} // namespace smtpx::cli
