// smtpx: the command line. Subcommands are dispatched here; each lives in its own file.
#include "cli/CheckCommand.h"
#include "cli/ConvertCommand.h"
#include "cli/DataPaths.h"
#include "cli/ImportCommand.h"
#include "cli/RecordCommand.h"
#include "cli/ReplayCommand.h"
#include "cli/RunCommand.h"
#include "cli/ScriptCatalog.h"
#include "cli/ServeTranscriptCommand.h"
#include "cli/ServeCommand.h"
#include "cli/ShellCommand.h"
#include "cli/UsageError.h"
#include "lua/ScriptError.h"

#include <csignal>
#include <sys/resource.h>
#include <iostream>
#include <string>
#include <vector>

namespace {

using namespace smtpx;

const char* kUsage =
	"smtpx " SMTPX_VERSION " - expect-style SMTP dialogues driven by Lua scripts\n"
	"\n"
	"usage: smtpx COMMAND [options]\n"
	"  run SCRIPT [options]   run a Lua script against one or more servers (smtpx run --help)\n"
	"  check -H HOST[:PORT]   health check, as a Monitoring Plugin (smtpx check --help)\n"
	"  serve                  Prometheus exporter for health checks (smtpx serve --help)\n"
	"  import FILE            print a transcript (telnet paste, swaks, ...) in canonical form\n"
	"  replay FILE|DIR        replay transcripts against a server (smtpx replay --help)\n"
	"  convert FILE --to lua  write a transcript as a Lua script to edit and run\n"
	"  serve-transcript FILE  play a transcript's server side to clients (--listen HOST:PORT)\n"
	"  record                 a proxy that records sessions as transcripts (smtpx record --help)\n"
	"  shell --server HOST    talk to a server by hand, with the live transcript (smtpx shell --help)\n"
	"  list                   list the bundled scripts (smtpx list --help)\n"
	"  help SCRIPT            show a script's description and options (smtpx help --help)\n"
	"  --help, -h             this text\n"
	"  --version, -V          the version\n"
	"Every command but shell takes --json: a JSON line per server, transcript, session or script\n"
	"on stdout, and nothing else there (README.md, \"Output for other tools\").\n"
	"\n"
	"Exit codes: 0 ok, 1 script returned false, 2 usage, 3 script error, 4 connect failed,\n"
	"5 reply did not match, 6 timeout, 7 connection closed, 8 TLS, 9 protocol error,\n"
	"10 limit; bundled scripts: 20-29 by phase; 30 a replayed transcript diverged, 31 a\n"
	"transcript does not import (see README.md, docs/transcripts.md).\n";

// Every session is a socket: take as many descriptors as the hard limit allows.
void raiseDescriptorLimit()
{
	rlimit limit{};
	if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
	limit.rlim_cur = limit.rlim_max;
	setrlimit(RLIMIT_NOFILE, &limit);
}

// A core file would hold the passwords and tokens the process had in memory (issue #7): the
// soft limit 0 stops the kernel writing one; a developer can still run smtpx under a debugger.
void disableCoreDumps()
{
	rlimit limit{};
	if (getrlimit(RLIMIT_CORE, &limit) != 0) return;
	limit.rlim_cur = 0;
	setrlimit(RLIMIT_CORE, &limit);
}

bool wantsHelp(const std::vector<std::string>& args)
{
	for (const auto& arg : args)
		if (arg == "--help" || arg == "-h") return true;
	return false;
}

int dispatch(const std::vector<std::string>& args)
{
	if (args.empty() || args[0] == "--help" || args[0] == "-h")
	{
		std::cout << kUsage;
		return args.empty() ? lua::exit_code::kUsage : 0;
	}
	if (args[0] == "--version" || args[0] == "-V")
	{
		std::cout << "smtpx " SMTPX_VERSION "\n";
		return 0;
	}
	const std::string& command = args[0];
	std::vector<std::string> rest(args.begin() + 1, args.end());
	auto paths = cli::DataPaths::discover();
	if (command == "run")
	{
		if (wantsHelp(rest))
		{
			std::cout << cli::runUsage();
			return 0;
		}
		return cli::runCommand(cli::RunOptions::parse(rest), paths);
	}
	if (command == "check") return cli::checkCommand(rest, paths);
	if (command == "serve") return cli::serveCommand(rest, paths);
	if (command == "import") return cli::importCommand(rest);
	if (command == "replay") return cli::replayCommand(rest, paths);
	if (command == "convert") return cli::convertCommand(rest);
	if (command == "serve-transcript") return cli::serveTranscriptCommand(rest);
	if (command == "record") return cli::recordCommand(rest);
	if (command == "shell")
	{
		if (wantsHelp(rest))
		{
			std::cout << cli::shellUsage();
			return 0;
		}
		return cli::shellCommand(rest, paths);
	}
	if (command == "list") return cli::listCommand(rest, paths);
	if (command == "help") return cli::helpCommand(rest, paths);
	throw cli::UsageError("unknown command '" + command + "'");
}

} // namespace

int main(int argc, char** argv)
{
	// A server that closes while we write must give an error, not kill the process.
	std::signal(SIGPIPE, SIG_IGN);
	raiseDescriptorLimit();
	disableCoreDumps();
	std::vector<std::string> args(argv + 1, argv + argc);
	try
	{
		return dispatch(args);
	}
	catch (const cli::UsageError& e)
	{
		std::cerr << "smtpx: " << e.what() << "\nTry 'smtpx --help'.\n";
		return lua::exit_code::kUsage;
	}
	catch (const std::exception& e)
	{
		std::cerr << "smtpx: " << e.what() << "\n";
		return lua::exit_code::kScript;
	}
}
