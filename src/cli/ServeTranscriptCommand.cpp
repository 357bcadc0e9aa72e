#include "cli/ServeTranscriptCommand.h"

#include "cli/ArgumentList.h"
#include "cli/ImportCommand.h"
#include "cli/UsageError.h"
#include "lua/ScriptError.h"
#include "replay/TranscriptServer.h"
#include "report/JsonLines.h"

#include <Poco/Exception.h>
#include <Poco/Path.h>

#include <iostream>

namespace smtpx::cli {

namespace {

struct ServeArguments
{
	bool help = false;
	std::string file;
	std::string listen;
	replay::TranscriptServer::Settings settings;
	replay::ImportOptions import;
	std::string transcriptFile;
	bool quiet = false;
	bool json = false;
};

Poco::Net::SocketAddress listenAddress(const std::string& text)
{
	try
	{
		return Poco::Net::SocketAddress(text);
	}
	catch (const Poco::Exception& e)
	{
		throw UsageError("bad --listen address '" + text + "' (HOST:PORT, [IPv6]:PORT): " + e.displayText());
	}
}

ServeArguments parseServeArguments(const std::vector<std::string>& args)
{
	ServeArguments parsed;
	ArgumentList list(args);
	while (!list.done())
	{
		std::string arg = list.take();
		if (takeImportOption(list, arg, parsed.import)) continue;
		if (arg == "--help" || arg == "-h") parsed.help = true;
		else if (arg == "--listen") parsed.listen = list.value(arg);
		else if (arg == "--sessions") parsed.settings.sessions = static_cast<std::size_t>(list.positiveInteger(arg));
		else if (arg == "--pace") parsed.settings.session.pace = true;
		else if (arg == "--timeout") parsed.settings.session.timeout = list.positiveNumber(arg);
		else if (arg == "--transcript") parsed.transcriptFile = list.value(arg);
		else if (arg == "--quiet" || arg == "-q") parsed.quiet = true;
		else if (arg == "--json") parsed.json = true;
		else if (arg.size() > 1 && arg[0] == '-') throw UsageError("unknown option " + arg);
		else if (parsed.file.empty()) parsed.file = arg;
		else throw UsageError("serve-transcript takes one transcript");
	}
	if (parsed.help) return parsed;
	if (parsed.file.empty()) throw UsageError("serve-transcript needs a transcript file");
	if (parsed.listen.empty()) throw UsageError("serve-transcript needs --listen HOST:PORT");
	return parsed;
}

Poco::JSON::Object::Ptr sessionJson(const replay::ServedSession& session, const std::string& file)
{
	Poco::JSON::Object::Ptr object = report::JsonLines::newObject();
	object->set("command", std::string("serve-transcript"));
	object->set("session", session.label());
	object->set("client", report::JsonLines::orNull(session.peer()));
	object->set("transcript", file);
	object->set("exit_code", session.divergence() ? lua::exit_code::kReplay : lua::exit_code::kOk);
	object->set("diverged", session.divergence().has_value());
	object->set("divergence", report::JsonLines::orNull(session.divergence().value_or("")));
	object->set("lines", session.lines());
	object->set("seconds", session.elapsedSeconds());
	return object;
}

} // namespace

const char* serveTranscriptUsage()
{
	static const std::string usage = std::string(
		"usage: smtpx serve-transcript FILE --listen HOST:PORT [options]\n"
		"Plays the server of the transcript in FILE to every client that connects: sends the recorded\n"
		"replies ({{queue_id}}, {{date}}, {{ip}} filled in) and checks each client line against the\n"
		"recorded one; a difference gets a 451 and ends that session. Prints \"listening on HOST:PORT\".\n"
		"  --listen HOST:PORT     where to listen (port 0: any free port)\n"
		"  --sessions N           stop after N sessions (default: serve until killed)\n"
		"  --pace                 wait the recorded gap before each reply\n"
		"  --timeout SECONDS      wait for each client line (30)\n"
		"  --transcript FILE      also write the live transcript to FILE\n"
		"  --quiet                the live transcript shows errors only\n"
		"  --json                 a JSON line per session on stdout as it ends: client, diverged and\n"
		"                         where, lines, seconds (\"listening on\" and the summary go to stderr)\n") +
		importOptionsUsage() +
		"Exit codes: 0 every client followed the transcript, 30 one did not, 31 the transcript does not\n"
		"import or cannot be played (a regex reply, a capture, STARTTLS).\n";
	return usage.c_str();
}

int serveTranscriptCommand(const std::vector<std::string>& args)
{
	ServeArguments parsed = parseServeArguments(args);
	if (parsed.help)
	{
		std::cout << serveTranscriptUsage();
		return lua::exit_code::kOk;
	}
	Poco::Net::SocketAddress address = listenAddress(parsed.listen);
	report::Transcript log(std::cerr, report::Transcript::Options::forConsole(parsed.quiet, true, parsed.transcriptFile));
	parsed.settings.session.name = Poco::Path(parsed.file).getFileName();

	net::EventLoop loop;
	std::unique_ptr<replay::TranscriptServer> server;
	try
	{
		replay::Transcript transcript = importReporting(parsed.file, parsed.import, std::cerr).transcript;
		server = std::make_unique<replay::TranscriptServer>(loop, log, std::move(transcript), parsed.settings);
	}
	catch (const replay::ImportError& e)
	{
		std::cerr << e.describe(parsed.file) << "\n";
		return lua::exit_code::kImport;
	}
	catch (const std::invalid_argument& e)
	{
		std::cerr << parsed.file << ":" << e.what() << "\n";
		return lua::exit_code::kImport;
	}
	// With --json, stdout holds the sessions' JSON lines only.
	std::ostream& out = parsed.json ? std::cerr : std::cout;
	report::JsonLines lines(std::cout);
	if (parsed.json)
		server->onSessionEnd([&](const replay::ServedSession& session) { lines.write(sessionJson(session, parsed.file)); });
	out << "listening on " << server->listen(address).toString() << std::endl;
	loop.run();
	for (const auto& divergence : server->divergences()) out << "FAIL  " << divergence << "\n";
	out << server->served() << (server->served() == 1 ? " session: " : " sessions: ") << server->divergences().size()
		<< " diverged\n";
	return server->divergences().empty() ? lua::exit_code::kOk : lua::exit_code::kReplay;
}

} // namespace smtpx::cli
