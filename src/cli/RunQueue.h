// RunQueue: starts one run of a script per target on an engine, each with the same parameters
// plus `server`, and no more than `parallel` under way at once (0: all at once). Runs start in
// target order, so engine.results()[i] is the run of targets[i].
#pragma once

#include "cli/RunProgress.h"
#include "lua/Engine.h"

#include <chrono>
#include <string>
#include <vector>

namespace smtpx::cli {

// How one run went, for the reports written after all runs ended (--json, --junit, --tap).
struct RunOutcome
{
	std::string target;      // "" for a run without a server
	lua::RunResult result;
	double seconds = 0.0;    // from its start (not from when it was queued) to its end
};

class RunQueue
{
public:
	// No targets: one run without a server.
	// `progress`, when given, hears of every run that ends.
	RunQueue(lua::Engine& engine, std::string scriptPath, lua::ScriptParams params, std::vector<std::string> targets,
		std::size_t parallel, RunProgress* progress = nullptr);

	void start();

	// Every target's run, in target order; once the engine has run them all.
	std::vector<RunOutcome> outcomes() const;

private:
	using Clock = std::chrono::steady_clock;

	void startNext();

	lua::Engine& _engine;
	std::string _scriptPath;
	lua::ScriptParams _params;
	std::vector<std::string> _targets;
	std::size_t _parallel;
	RunProgress* _progress;
	std::size_t _started = 0;
	std::vector<Clock::time_point> _startTimes;  // by run
	std::vector<double> _seconds;                 // by run, set as it ends
};

} // namespace smtpx::cli
