#include "cli/ReplayCommand.h"

#include "cli/ArgumentList.h"
#include "cli/ImportCommand.h"
#include "cli/RunCommand.h"
#include "cli/ServerList.h"
#include "cli/TlsFlags.h"
#include "cli/UsageError.h"
#include "lua/ReplayLibrary.h"
#include "lua/ScriptError.h"
#include "report/JsonLines.h"
#include "report/TestReport.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/Path.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <optional>

namespace smtpx::cli {

namespace {

using Clock = std::chrono::steady_clock;

// The names `smtpx replay DIR` takes as transcripts.
constexpr std::string_view kTranscriptExtensions[] = {"txt", "smtpx", "log", "transcript"};

struct ReplayOptions
{
	bool help = false;
	std::vector<std::string> inputs;
	std::string server;
	lua::ReplaySettings settings;
	replay::ImportOptions import;
	double timeout = 30.0;
	std::size_t parallel = 0;
	std::string junitFile;
	std::string tapFile;
	bool json = false;
	bool reportOnStdout = false;
	std::string transcriptFile;
	bool quiet = false;
	net::TlsOptions tls;
};

std::pair<std::string, std::string> assignment(const std::string& option, const std::string& text)
{
	auto equals = text.find('=');
	if (equals == std::string::npos || equals == 0) throw UsageError(option + " needs NAME=VALUE, not '" + text + "'");
	return {text.substr(0, equals), text.substr(equals + 1)};
}

void takeMatch(const std::string& value, lua::ReplaySettings& settings)
{
	if (value != "code" && value != "text") throw UsageError("--match takes code or text, not '" + value + "'");
	settings.match = value;
}

bool takeReplayOption(const std::string& arg, ArgumentList& list, ReplayOptions& options)
{
	if (arg == "--help" || arg == "-h") options.help = true;
	else if (arg == "--server") options.server = checkedServer(list.value(arg));
	else if (arg == "--set") options.settings.secrets.insert(assignment(arg, list.value(arg)));
	else if (arg == "--rewrite") options.settings.rewrites.push_back(assignment(arg, list.value(arg)));
	else if (arg == "--match") takeMatch(list.value(arg), options.settings);
	else if (arg == "--ignore-extras") options.settings.ignoreExtras = true;
	else if (arg == "--keep-going") options.settings.keepGoing = true;
	else if (arg == "--pace") options.settings.pace = true;
	else if (arg == "--timeout") options.timeout = list.positiveNumber(arg);
	else if (arg == "--parallel") options.parallel = static_cast<std::size_t>(list.positiveInteger(arg));
	else if (arg == "--junit") options.junitFile = list.value(arg);
	else if (arg == "--tap") options.tapFile = list.value(arg);
	else if (arg == "--json") options.json = true;
	else if (arg == "--transcript") options.transcriptFile = list.value(arg);
	else if (arg == "--quiet" || arg == "-q") options.quiet = true;
	else return takeImportOption(list, arg, options.import) || takeTlsFlag(arg, list, options.tls);
	return true;
}

ReplayOptions parseOptions(const std::vector<std::string>& args)
{
	ReplayOptions options;
	ArgumentList list(args);
	while (!list.done())
	{
		std::string arg = list.take();
		if (takeReplayOption(arg, list, options)) continue;
		if (arg.size() > 1 && arg[0] == '-') throw UsageError("unknown option " + arg);
		options.inputs.push_back(arg);
	}
	if (options.inputs.empty() && !options.help) throw UsageError("replay needs a transcript file or directory");
	options.reportOnStdout = cli::reportOnStdout(options.json, options.junitFile, options.tapFile);
	return options;
}

bool isTranscriptName(const Poco::Path& path)
{
	std::string extension = path.getExtension();
	return path.getFileName()[0] != '.' &&
		std::find(std::begin(kTranscriptExtensions), std::end(kTranscriptExtensions), extension) != std::end(kTranscriptExtensions);
}

// The files named, and the transcripts in the directories named, in name order.
std::vector<std::string> transcriptFiles(const std::vector<std::string>& inputs)
{
	std::vector<std::string> files;
	for (const auto& input : inputs)
	{
		Poco::File entry(input);
		if (!entry.exists()) throw UsageError("no such file or directory: " + input);
		if (!entry.isDirectory())
		{
			files.push_back(input);
			continue;
		}
		std::vector<std::string> found;
		for (Poco::DirectoryIterator it(entry), end; it != end; ++it)
			if (it->isFile() && isTranscriptName(it.path())) found.push_back(Poco::Path(input).append(it.name()).toString());
		std::sort(found.begin(), found.end());
		files.insert(files.end(), found.begin(), found.end());
	}
	return files;
}

struct Case
{
	report::TestCase result;
	std::optional<replay::Transcript> transcript;
	lua::ReplaySettings settings;
	Clock::time_point started;
};

// Imports a transcript and picks its server; what fails becomes the case's result.
Case prepare(const std::string& file, const ReplayOptions& options)
{
	Case c;
	c.result.name = file;
	c.settings = options.settings;
	try
	{
		c.transcript = importReporting(file, options.import, std::cerr).transcript;
	}
	catch (const replay::ImportError& e)
	{
		c.result = {file, lua::exit_code::kImport, e.describe(file), 0.0};
		std::cerr << c.result.message << "\n";
		return c;
	}
	std::string recorded = c.transcript->meta("server");
	if (options.server.empty() && recorded.empty())
	{
		c.result = {file, lua::exit_code::kUsage, "no --server given, and the transcript names none (@server)", 0.0};
		c.transcript.reset();
		return c;
	}
	c.settings.server = options.server.empty() ? checkedServer(recorded) : options.server;
	return c;
}

// Starts replays as earlier ones end, so no more than `parallel` run at once (0: all).
class ReplayQueue
{
public:
	ReplayQueue(lua::Engine& engine, std::vector<Case>& cases, std::size_t parallel):
		_engine(engine), _cases(cases), _parallel(parallel)
	{
		for (std::size_t i = 0; i < cases.size(); ++i)
			if (cases[i].transcript) _waiting.push_back(i);
		engine.scheduler().setOnFinish([this](lua::Scheduler::RunId run) { finished(run); });
	}

	void start()
	{
		std::size_t first = _parallel ? std::min(_parallel, _waiting.size()) : _waiting.size();
		for (std::size_t i = 0; i < first; ++i) startNext();
	}

private:
	void startNext()
	{
		if (_next >= _waiting.size()) return;
		Case& c = _cases[_waiting[_next++]];
		std::string label = _cases.size() > 1 ? c.result.name : "";
		c.started = Clock::now();
		_caseOfRun[lua::startReplay(_engine, *c.transcript, c.result.name, label, c.settings)] = &c;
	}

	void finished(lua::Scheduler::RunId run)
	{
		auto found = _caseOfRun.find(run);
		if (found != _caseOfRun.end())
		{
			Case& c = *found->second;
			const lua::RunResult& result = _engine.results()[run];
			c.result.exitCode = result.exitCode;
			c.result.message = result.error;
			c.result.seconds = std::chrono::duration<double>(Clock::now() - c.started).count();
		}
		startNext();
	}

	lua::Engine& _engine;
	std::vector<Case>& _cases;
	std::size_t _parallel;
	std::vector<std::size_t> _waiting;
	std::size_t _next = 0;
	std::map<lua::Scheduler::RunId, Case*> _caseOfRun;
};

void printSummary(const std::vector<Case>& cases, std::ostream& out)
{
	std::size_t passed = 0;
	for (const auto& c : cases)
	{
		char seconds[32];
		std::snprintf(seconds, sizeof seconds, "%.3f s", c.result.seconds);
		if (c.result.exitCode == 0)
		{
			++passed;
			out << "PASS  " << c.result.name << "  (" << seconds << ")\n";
			continue;
		}
		out << "FAIL  " << c.result.name << "  (exit " << c.result.exitCode << ")\n";
		std::string message = c.result.message;
		for (std::size_t pos = 0; (pos = message.find('\n', pos)) != std::string::npos; pos += 7) message.insert(pos + 1, "      ");
		out << "      " << message << "\n";
	}
	out << cases.size() << (cases.size() == 1 ? " transcript: " : " transcripts: ") << passed << " passed, "
		<< cases.size() - passed << " failed\n";
}

Poco::JSON::Object::Ptr caseJson(const Case& c)
{
	Poco::JSON::Object::Ptr object = report::JsonLines::newObject();
	object->set("command", std::string("replay"));
	object->set("transcript", c.result.name);
	object->set("server", report::JsonLines::orNull(c.settings.server));
	object->set("exit_code", c.result.exitCode);
	object->set("passed", c.result.exitCode == 0);
	object->set("message", report::JsonLines::orNull(c.result.message));
	object->set("seconds", c.result.seconds);
	return object;
}

void writeReports(const std::vector<Case>& cases, const ReplayOptions& options)
{
	if (options.json)
	{
		report::JsonLines lines(std::cout);
		for (const auto& c : cases) lines.write(caseJson(c));
	}
	std::vector<report::TestCase> results;
	for (const auto& c : cases) results.push_back(c.result);
	if (!options.junitFile.empty()) writeOutput(options.junitFile, report::junitXml("smtpx.replay", results));
	if (!options.tapFile.empty()) writeOutput(options.tapFile, report::tap(results));
}

} // namespace

const char* replayUsage()
{
	static const std::string usage = std::string(
		"usage: smtpx replay FILE|DIR... [--server HOST[:PORT]] [options]\n"
		"Sends the client side of each transcript (any format smtpx import reads) and checks every\n"
		"reply; a DIR replays its *.txt, *.smtpx, *.log and *.transcript files, all at once.\n"
		"  --server HOST[:PORT]   the server (default: the transcript's @server)\n"
		"  --set NAME=VALUE       the value of {{secret:NAME}} (else $SMTPX_SECRET_NAME); never printed\n"
		"  --rewrite OLD=NEW      replace OLD in every client and server line (repeatable)\n"
		"  --match code|text      what plain \"S: \" lines compare (default: @match, else code)\n"
		"  --ignore-extras        an EHLO reply may offer more than the transcript recorded\n"
		"  --keep-going           report every divergence, not only the first\n"
		"  --pace                 keep the recorded gaps between client lines\n"
		"  --timeout SECONDS      wait for each reply and connect (30)\n"
		"  --parallel N           at most N transcripts at once (default: all)\n"
		"  --junit FILE           write a JUnit XML report (a test case per transcript)\n"
		"  --tap FILE             write a TAP report ('-': stdout)\n"
		"  --json                 a JSON line per transcript on stdout (the summary goes to stderr)\n"
		"  --transcript FILE      also write the live transcript to FILE\n"
		"  --quiet                the live transcript shows errors only\n") +
		importOptionsUsage() +
		"  --tls-ca-file FILE, --insecure, ...  TLS options for STARTTLS, as smtpx run takes them\n"
		"Exit codes: 0 all replayed green, 30 a reply diverged, 31 a transcript did not import,\n"
		"4 no connection, 2 usage; with several transcripts, the highest.\n";
	return usage.c_str();
}

int replayCommand(const std::vector<std::string>& args, const DataPaths& paths)
{
	ReplayOptions options = parseOptions(args);
	if (options.help)
	{
		std::cout << replayUsage();
		return lua::exit_code::kOk;
	}
	std::vector<Case> cases;
	for (const auto& file : transcriptFiles(options.inputs)) cases.push_back(prepare(file, options));

	report::Transcript transcript(std::cerr,
		report::Transcript::Options::forConsole(options.quiet, cases.size() > 1, options.transcriptFile));

	lua::EngineSettings settings = paths.engineSettings(options.timeout);
	settings.sandbox = true;
	settings.tls = options.tls;

	net::EventLoop loop;
	lua::Engine engine(loop, transcript, settings);
	ReplayQueue queue(engine, cases, options.parallel);
	queue.start();
	engine.run();

	printSummary(cases, options.reportOnStdout ? std::cerr : std::cout);
	writeReports(cases, options);
	int worst = 0;
	for (const auto& c : cases) worst = std::max(worst, c.result.exitCode);
	return worst;
}

} // namespace smtpx::cli
