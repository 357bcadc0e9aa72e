// RunQueue: starts one run of a script per target on an engine, each with the same parameters
// plus `server`, and no more than `parallel` under way at once (0: all at once). Runs start in
// target order, so engine.results()[i] is the run of targets[i].
#pragma once

#include "cli/RunProgress.h"
#include "lua/Engine.h"

#include <string>
#include <vector>

namespace smtpx::cli {

class RunQueue
{
public:
	// No targets: one run without a server.
	// `progress`, when given, hears of every run that ends.
	RunQueue(lua::Engine& engine, std::string scriptPath, lua::ScriptParams params, std::vector<std::string> targets,
		std::size_t parallel, RunProgress* progress = nullptr);

	void start();

private:
	void startNext();

	lua::Engine& _engine;
	std::string _scriptPath;
	lua::ScriptParams _params;
	std::vector<std::string> _targets;
	std::size_t _parallel;
	RunProgress* _progress;
	std::size_t _started = 0;
};

} // namespace smtpx::cli
