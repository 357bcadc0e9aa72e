// Engine: one event loop's Lua state, its scheduler and the sessions its scripts open.
// Everything a binding needs is reached from its lua_State through Engine::of().
#pragma once

#include "lua/LuaHeaders.h"
#include "lua/Scheduler.h"
#include "net/EventLoop.h"
#include "net/TlsOptions.h"
#include "report/Transcript.h"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace smtpx::net {
class HostResolver;
}

namespace smtpx::lua {

struct EngineSettings
{
	double replyTimeout = 30.0;          // seconds, default for each expect
	double connectTimeout = 30.0;        // seconds, for a host name's lookup and for each address tried
	std::vector<std::string> moduleDirs; // searched by require(), first wins (SMTPX_PATH, stdlib)
	std::string stdlibDir;               // frames in here are skipped when naming a script line
	bool sandbox = false;                // no os.execute, io.popen, file writes, binary chunks
	net::TlsOptions tls;                 // every TLS handshake's defaults (--tls-*); scripts' options win
	double busyLimit = 10.0;             // seconds a script may compute without waiting
	std::size_t memoryLimit = std::size_t(1) << 30;  // bytes of Lua memory, all runs of this engine
};

using ScriptParams = std::map<std::string, std::string>;

class Engine
{
public:
	Engine(net::EventLoop& loop, report::Transcript& transcript, EngineSettings settings);
	~Engine();
	Engine(const Engine&) = delete;
	Engine& operator=(const Engine&) = delete;

	// Loads the script and starts one run of it with its own globals (reading through to the
	// shared ones): `params` (also passed as `...`) and `server` = {host=, port=, text=} when
	// `server` is not empty. A file that does not load ends the run at once with a script error.
	std::size_t startScript(const std::string& path, const ScriptParams& params, const std::string& server,
		const std::string& label);

	// Runs the loop until every run has ended.
	void run() { _loop.run(); }

	const std::vector<RunResult>& results() const { return _scheduler.results(); }

	static Engine& of(lua_State* L);
	lua_State* state() const { return _state; }
	net::EventLoop& loop() { return _loop; }
	report::Transcript& transcript() { return _transcript; }
	Scheduler& scheduler() { return _scheduler; }
	// Looks host names up off the loop's thread; made at the first lookup.
	net::HostResolver& resolver();
	// Replaces it before any lookup (tests give one whose lookups are slow).
	void setResolver(std::unique_ptr<net::HostResolver> resolver);
	const EngineSettings& settings() const { return _settings; }
	bool closing() const { return _closing; }

	// The memory limit holds while scripts run; the engine's own work between them (recording a
	// finished run's outcome) must not fail on it, as nothing could catch that error.
	bool enforceMemoryLimit(bool enforce) { return std::exchange(_enforceMemoryLimit, enforce); }

private:
	void openLibraries();
	void setModulePath();
	void applySandbox();
	void pushScriptEnvironment(const ScriptParams& params, const std::string& server);

	net::EventLoop& _loop;
	report::Transcript& _transcript;
	EngineSettings _settings;
	// Every Lua allocation goes through here, so no script can take the machine's memory.
	static void* allocate(void* engine, void* block, std::size_t oldSize, std::size_t newSize);

	std::size_t _memoryUsed = 0;
	bool _enforceMemoryLimit = false;
	lua_State* _state;
	Scheduler _scheduler;
	std::unique_ptr<net::HostResolver> _resolver;
	bool _closing = false;
};

} // namespace smtpx::lua
