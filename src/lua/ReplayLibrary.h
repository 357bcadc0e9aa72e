// ReplayLibrary: the `smtp.replay` functions behind stdlib/smtpx/replay.lua (filling in client
// lines, comparing replies with recorded ones), and how `smtpx replay` starts a transcript's run.
#pragma once

#include "lua/Engine.h"
#include "lua/LuaHeaders.h"
#include "replay/Transcript.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace smtpx::lua {

struct ReplaySettings
{
	std::string server;                                          // "host:port"
	std::map<std::string, std::string> secrets;                  // --set NAME=VALUE
	std::vector<std::pair<std::string, std::string>> rewrites;   // --rewrite OLD=NEW
	std::string match;                                           // "code", "text", "" (the transcript's)
	bool ignoreExtras = false;
	bool pace = false;
	bool keepGoing = false;
};

// Adds the `replay` table (expand, check, convert) to the `smtp` table on top of the stack.
void openReplayFunctions(lua_State* L);

// Starts a run of require("smtpx.replay").run(transcript, settings); `name` names the transcript
// in messages, `label` the run in the live transcript. Throws std::runtime_error when the module
// does not load.
std::size_t startReplay(Engine& engine, const replay::Transcript& transcript, const std::string& name,
	const std::string& label, const ReplaySettings& settings);

} // namespace smtpx::lua
