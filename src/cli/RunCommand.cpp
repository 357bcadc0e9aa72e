#include "cli/RunCommand.h"

#include "cli/ArgumentList.h"
#include "cli/UsageError.h"
#include "net/Endpoint.h"

#include <algorithm>
#include <fstream>
#include <iostream>

namespace smtpx::cli {

namespace {

void addParam(lua::ScriptParams& params, const std::string& assignment)
{
	auto equals = assignment.find('=');
	if (equals == std::string::npos || equals == 0)
		throw UsageError("--set needs KEY=VALUE, not '" + assignment + "'");
	params[assignment.substr(0, equals)] = assignment.substr(equals + 1);
}

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
	std::ifstream in(path);
	if (!in) throw UsageError("cannot read servers file " + path);
	std::string line;
	while (std::getline(in, line))
	{
		line.erase(0, line.find_first_not_of(" \t\r"));
		line.erase(line.find_last_not_of(" \t\r") + 1);
		if (!line.empty() && line[0] != '#') servers.push_back(checkedServer(line));
	}
}

// Starts runs as earlier ones end, so no more than `parallel` are under way at once.
class RunQueue
{
public:
	RunQueue(lua::Engine& engine, const RunOptions& options, const std::string& scriptPath):
		_engine(engine), _options(options), _scriptPath(scriptPath)
	{
		if (_options.servers.empty()) _targets.push_back("");
		else _targets = _options.servers;
		engine.scheduler().setOnFinish([this](std::size_t) { startNext(); });
	}

	void start()
	{
		std::size_t first = _options.parallel ? std::min(_options.parallel, _targets.size()) : _targets.size();
		for (std::size_t i = 0; i < first; ++i) startNext();
	}

private:
	void startNext()
	{
		if (_started >= _targets.size()) return;
		const std::string& server = _targets[_started++];
		lua::ScriptParams params = _options.params;
		if (!server.empty()) params.emplace("server", server);
		std::string label = _targets.size() > 1 ? server : "";
		_engine.startScript(_scriptPath, params, server, label);
	}

	lua::Engine& _engine;
	const RunOptions& _options;
	std::string _scriptPath;
	std::vector<std::string> _targets;
	std::size_t _started = 0;
};

} // namespace

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
		"  --quiet                print errors only\n"
		"  --sandbox              no os.execute, io.popen, file writes or binary chunks\n"
		"  --busy-limit SECONDS   longest a script may compute without waiting (10)\n";
}

RunOptions RunOptions::parse(const std::vector<std::string>& args)
{
	RunOptions options;
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
		else if (arg.size() > 1 && arg[0] == '-') throw UsageError("unknown option " + arg);
		else if (options.script.empty()) options.script = arg;
		else throw UsageError("unexpected argument '" + arg + "' (only one script per run)");
	}
	if (options.script.empty()) throw UsageError("run needs a script");
	return options;
}

int runCommand(const RunOptions& options, const DataPaths& paths)
{
	auto scriptPath = paths.findScript(options.script);
	if (!scriptPath) throw UsageError("no script '" + options.script + "' (not a file, nor a bundled script)");

	report::Transcript::Options transcriptOptions;
	transcriptOptions.quiet = options.quiet;
	transcriptOptions.color = report::Transcript::consoleWantsColor();
	transcriptOptions.labels = options.servers.size() > 1;
	transcriptOptions.filePath = options.transcriptFile;
	report::Transcript transcript(std::cerr, transcriptOptions);

	lua::EngineSettings settings;
	settings.replyTimeout = options.timeout;
	settings.connectTimeout = options.timeout;
	settings.moduleDirs = paths.moduleDirs();
	settings.stdlibDir = paths.stdlibDir();
	settings.sandbox = options.sandbox;
	settings.busyLimit = options.busyLimit;

	net::EventLoop loop;
	lua::Engine engine(loop, transcript, settings);
	RunQueue queue(engine, options, *scriptPath);
	queue.start();
	engine.run();

	int worst = 0;
	for (const auto& result : engine.results()) worst = std::max(worst, result.exitCode);
	return worst;
}

} // namespace smtpx::cli
