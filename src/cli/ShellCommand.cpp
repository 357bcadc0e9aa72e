#include "cli/ShellCommand.h"

#include "cli/RunCommand.h"
#include "cli/UsageError.h"

namespace smtpx::cli {

const char* shellUsage()
{
	return "usage: smtpx shell --server HOST[:PORT] [options]\n"
		"Talk to a server by hand, like telnet, with the live transcript: each line typed is sent as a\n"
		"command and the replies show as they come; after a 354 lines are message text until \".\".\n"
		"  :lua CODE              run Lua, with the session as `s` (:lua s:info().peer)\n"
		"  :save FILE             write the dialogue so far as a transcript (smtpx replay FILE)\n"
		"  :quit                  end (so does end of input, Ctrl-D)\n"
		"Options: those of smtpx run (--timeout, --transcript, --tls-*, ...), and\n"
		"  --set wait=SECONDS     how long to wait for each reply (2)\n";
}

int shellCommand(const std::vector<std::string>& args, const DataPaths& paths)
{
	// The bundled script itself: a shell.lua of the user's in SMTPX_PATH must not stand in for it.
	std::vector<std::string> runArgs{paths.scriptsDir() + "/shell.lua"};
	runArgs.insert(runArgs.end(), args.begin(), args.end());
	RunOptions options = RunOptions::parse(runArgs);
	if (options.servers.size() > 1) throw UsageError("shell talks to one server");
	return runCommand(options, paths);
}

} // namespace smtpx::cli
