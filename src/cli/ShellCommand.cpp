#include "cli/ShellCommand.h"

#include "cli/RunCommand.h"
#include "cli/UsageError.h"

namespace smtpx::cli {

const char* shellUsage()
{
	return "usage: smtpx shell --server HOST[:PORT] [options]\n"
		"Talk to a server by hand, like telnet, with the live transcript: each line typed is sent as a\n"
		"command and the replies show as they come; after a 354 lines are message text until \".\".\n"
		"Replies the server sends while you type (a 421 before it hangs up) show at once.\n"
		"  :lua CODE              run Lua, with the session as `s` (:lua s:info().peer)\n"
		"  :save FILE             write the dialogue so far as a transcript (smtpx replay FILE);\n"
		"                         FILE.lua: as a script instead (smtpx run FILE.lua)\n"
		"  :quit                  end (so does end of input, Ctrl-D)\n"
		"On a terminal lines are edited (libedit) and the Up arrow recalls earlier ones, also from\n"
		"earlier sessions: $XDG_STATE_HOME/smtpx/history (~/.local/state/smtpx/history), mode 0600,\n"
		"1000 lines. AUTH credentials never go into it, show as **** and are saved as placeholders.\n"
		"Options: those of smtpx run (--timeout, --transcript, --tls-*, ...) but --json, --junit and\n"
		"--tap (the shell's output is the live transcript; :save writes it as a transcript), and\n"
		"  --set wait=SECONDS     how long to wait for each reply (2)\n"
		"  --set history=off      keep no history file (history=FILE: keep it there)\n";
}

int shellCommand(const std::vector<std::string>& args, const DataPaths& paths)
{
	// The bundled script itself: a shell.lua of the user's in SMTPX_PATH must not stand in for it.
	std::vector<std::string> runArgs{paths.scriptsDir() + "/shell.lua"};
	runArgs.insert(runArgs.end(), args.begin(), args.end());
	RunOptions options = RunOptions::parse(runArgs);
	if (options.servers.size() > 1) throw UsageError("shell talks to one server");
	if (options.json || !options.junitFile.empty() || !options.tapFile.empty())
		throw UsageError("shell has no --json, --junit or --tap: its output is the live transcript (:save FILE keeps it)");
	return runCommand(options, paths);
}

} // namespace smtpx::cli
