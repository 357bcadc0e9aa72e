#include "cli/CheckRunner.h"

#include "cli/RunQueue.h"
#include "net/EventLoop.h"

#include <filesystem>
#include <stdexcept>

namespace smtpx::cli {

namespace {

report::CheckResult resultOf(const std::string& target, const lua::RunResult& run)
{
	if (!run.error.empty()) return report::CheckResult::unknown(target, run.error);
	try
	{
		return report::CheckResult::fromScript(target, run.value);
	}
	catch (const std::runtime_error& e)
	{
		return report::CheckResult::unknown(target, e.what());
	}
}

} // namespace

std::vector<report::CheckResult> runChecks(const CheckOptions& options, const DataPaths& paths,
	report::Transcript& transcript)
{
	// The bundled script itself: a check.lua of the user's in SMTPX_PATH must not stand in for it.
	std::string scriptPath = paths.scriptsDir() + "/check.lua";
	if (!std::filesystem::is_regular_file(scriptPath)) throw std::runtime_error("the bundled script " + scriptPath + " is missing");

	// check.lua spreads its time budget over the phases; the timeout only bounds the worst case.
	lua::EngineSettings settings = paths.engineSettings(options.timeout);
	settings.tls = options.tls;

	net::EventLoop loop;
	lua::Engine engine(loop, transcript, settings);
	lua::ScriptParams params = options.params;
	params["timeout"] = std::to_string(options.timeout);
	RunQueue queue(engine, scriptPath, params, options.servers, options.parallel);
	queue.start();
	engine.run();

	std::vector<report::CheckResult> results;
	const auto& runs = engine.results();
	for (std::size_t i = 0; i < options.servers.size() && i < runs.size(); ++i)
	{
		results.push_back(resultOf(options.servers[i], runs[i]));
		options.policy.apply(results.back());
	}
	return results;
}

} // namespace smtpx::cli
