#include "cli/RunQueue.h"

#include <algorithm>

namespace smtpx::cli {

RunQueue::RunQueue(lua::Engine& engine, std::string scriptPath, lua::ScriptParams params,
	std::vector<std::string> targets, std::size_t parallel, RunProgress* progress):
	_engine(engine),
	_scriptPath(std::move(scriptPath)),
	_params(std::move(params)),
	_targets(std::move(targets)),
	_parallel(parallel),
	_progress(progress)
{
	if (_targets.empty()) _targets.push_back("");
	_seconds.resize(_targets.size());
	engine.scheduler().setOnFinish([this](std::size_t run) {
		_seconds[run] = std::chrono::duration<double>(Clock::now() - _startTimes[run]).count();
		if (_progress) _progress->finished(_engine.results()[run].exitCode);
		startNext();
	});
}

void RunQueue::start()
{
	std::size_t first = _parallel ? std::min(_parallel, _targets.size()) : _targets.size();
	for (std::size_t i = 0; i < first; ++i) startNext();
}

void RunQueue::startNext()
{
	if (_started >= _targets.size()) return;
	const std::string& server = _targets[_started++];
	lua::ScriptParams params = _params;
	if (!server.empty()) params.emplace("server", server);
	// Before the start: a script that fails to load, or never waits, ends inside startScript.
	_startTimes.push_back(Clock::now());
	// The transcript shows labels only when the whole command has several servers (which may be
	// spread over threads, each with a share of one).
	_engine.startScript(_scriptPath, params, server, server);
}

std::vector<RunOutcome> RunQueue::outcomes() const
{
	std::vector<RunOutcome> outcomes;
	const auto& results = _engine.results();
	for (std::size_t run = 0; run < results.size() && run < _targets.size(); ++run)
		outcomes.push_back({_targets[run], results[run], _seconds[run]});
	return outcomes;
}

} // namespace smtpx::cli
