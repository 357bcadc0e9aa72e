#include "cli/RecordCommand.h"

#include "cli/ArgumentList.h"
#include "cli/ServerList.h"
#include "cli/UsageError.h"
#include "lua/ScriptError.h"
#include "net/Endpoint.h"
#include "net/Resolver.h"
#include "replay/RecordingProxy.h"
#include "report/JsonLines.h"

#include <Poco/Exception.h>

#include <iostream>

namespace smtpx::cli {

namespace {

struct RecordArguments
{
	bool help = false;
	std::string listen;
	std::string server;
	replay::RecordingProxy::Settings settings;
	bool quiet = false;
	bool json = false;
};

RecordArguments parseRecordArguments(const std::vector<std::string>& args)
{
	RecordArguments parsed;
	ArgumentList list(args);
	while (!list.done())
	{
		std::string arg = list.take();
		if (arg == "--help" || arg == "-h") parsed.help = true;
		else if (arg == "--listen") parsed.listen = list.value(arg);
		else if (arg == "--server") parsed.server = checkedServer(list.value(arg));
		else if (arg == "--out" || arg == "-o") parsed.settings.out = list.value(arg);
		else if (arg == "--sessions") parsed.settings.sessions = static_cast<std::size_t>(list.positiveInteger(arg));
		else if (arg == "--timeout") parsed.settings.session.timeout = list.positiveNumber(arg);
		else if (arg == "--quiet" || arg == "-q") parsed.quiet = true;
		else if (arg == "--json") parsed.json = true;
		else throw UsageError("unexpected argument '" + arg + "'");
	}
	if (parsed.help) return parsed;
	if (parsed.listen.empty() || parsed.server.empty() || parsed.settings.out.empty())
		throw UsageError("record needs --listen HOST:PORT, --server HOST:PORT and --out FILE");
	return parsed;
}

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

Poco::JSON::Object::Ptr sessionJson(const replay::RecordedSession& session, const std::string& server)
{
	Poco::JSON::Object::Ptr object = report::JsonLines::newObject();
	object->set("command", std::string("record"));
	object->set("session", session.label());
	object->set("client", report::JsonLines::orNull(session.peer()));
	object->set("server", server);
	object->set("exit_code", session.error().empty() ? lua::exit_code::kOk : lua::exit_code::kScript);
	object->set("file", session.error().empty() ? Poco::Dynamic::Var(session.outFile()) : Poco::Dynamic::Var());
	object->set("error", report::JsonLines::orNull(session.error()));
	object->set("lines", session.lines());
	object->set("seconds", session.elapsedSeconds());
	return object;
}

} // namespace

const char* recordUsage()
{
	return "usage: smtpx record --listen HOST:PORT --server HOST:PORT --out FILE [options]\n"
		"A transparent proxy: point telnet, swaks or a mail client at --listen; each session through it\n"
		"to --server is written to a canonical transcript (smtpx replay FILE plays it back). AUTH\n"
		"payloads are stored as {{secret:...}} placeholders. STARTTLS is relayed, not decrypted: the\n"
		"transcript records the handshake and says the recording stops there.\n"
		"  --listen HOST:PORT     where clients connect (port 0: any free port); prints \"listening on ...\"\n"
		"  --server HOST:PORT     the real server\n"
		"  --out FILE             the first session's transcript; the Nth goes to FILE-N.EXT, and a\n"
		"                         directory (or a path ending in /) gets session-N.smtpx files\n"
		"  --sessions N           stop after N sessions (default: record until killed)\n"
		"  --timeout SECONDS      to connect to the server (30)\n"
		"  --quiet                the live transcript shows errors only\n"
		"  --json                 a JSON line per session on stdout as it ends: client, file, lines,\n"
		"                         seconds (\"listening on\" and the rest go to stderr)\n";
}

int recordCommand(const std::vector<std::string>& args)
{
	RecordArguments parsed = parseRecordArguments(args);
	if (parsed.help)
	{
		std::cout << recordUsage();
		return lua::exit_code::kOk;
	}
	Poco::Net::SocketAddress address = listenAddress(parsed.listen);
	parsed.settings.session.server = parsed.server;
	try
	{
		parsed.settings.session.addresses = net::resolve(net::Endpoint::parse(parsed.server));
	}
	catch (const std::exception& e)
	{
		std::cerr << "smtpx: " << e.what() << "\n";
		return lua::exit_code::kConnect;
	}
	report::Transcript log(std::cerr, report::Transcript::Options::forConsole(parsed.quiet, true, ""));

	net::EventLoop loop;
	replay::RecordingProxy proxy(loop, log, parsed.settings);
	// With --json, stdout holds the sessions' JSON lines only.
	std::ostream& out = parsed.json ? std::cerr : std::cout;
	report::JsonLines lines(std::cout);
	if (parsed.json)
		proxy.onSessionEnd([&](const replay::RecordedSession& session) { lines.write(sessionJson(session, parsed.server)); });
	out << "listening on " << proxy.listen(address).toString() << std::endl;
	loop.run();
	for (const auto& file : proxy.written()) out << "recorded " << file << "\n";
	for (const auto& error : proxy.errors()) std::cerr << "smtpx: " << error << "\n";
	return proxy.errors().empty() ? lua::exit_code::kOk : lua::exit_code::kScript;
}

} // namespace smtpx::cli
