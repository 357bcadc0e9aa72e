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
	engine.scheduler().setOnFinish([this](std::size_t run) {
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
	// The transcript shows labels only when the whole command has several servers (which may be
	// spread over threads, each with a share of one).
	_engine.startScript(_scriptPath, params, server, server);
}

} // namespace smtpx::cli
