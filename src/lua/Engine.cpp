#include "lua/Engine.h"

#include "lua/Binding.h"
#include "lua/PrecompiledModules.h"
#include "net/HostResolver.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace smtpx::lua {

namespace {

// Lua 5.4 keeps LUA_EXTRASPACE bytes before each state (threads copy the main one's): the engine
// pointer lives there so every binding finds its engine without a registry lookup.
void setEngine(lua_State* L, Engine* engine)
{
	std::memcpy(lua_getextraspace(L), &engine, sizeof engine);
}

// In sandbox mode a script may not run programs, write files or load precompiled chunks.
constexpr const char* kSandboxCode = R"lua(
os.execute, os.remove, os.rename, os.exit, os.tmpname, os.getenv = nil, nil, nil, nil, nil, nil
io.popen, io.open, io.output, io.lines, io.input = nil, nil, nil, nil, nil
package.loadlib, package.cpath = nil, ""
package.searchers[3], package.searchers[4] = nil, nil
local load_text = load
load = function(chunk, name, mode, env) return load_text(chunk, name, "t", env) end
loadfile, dofile = nil, nil
-- debug reaches the real load through the upvalue above (binary chunks can break out of the VM)
-- and can remove the busy-limit hook (issue #7).
debug, package.loaded.debug = nil, nil
)lua";

// An error outside any protected call: there is no script to hand it to.
int panic(lua_State* L)
{
	const char* message = lua_tostring(L, -1);
	std::fprintf(stderr, "smtpx: unprotected Lua error: %s\n", message ? message : "(not a string)");
	return 0;  // Lua then aborts
}

} // namespace

Engine::Engine(net::EventLoop& loop, report::Transcript& transcript, EngineSettings settings):
	_loop(loop),
	_transcript(transcript),
	_settings(std::move(settings)),
	_state(lua_newstate(allocate, this)),
	_scheduler(loop, transcript, _settings.busyLimit)
{
	if (!_state) throw std::runtime_error("cannot create a Lua state (out of memory)");
	lua_atpanic(_state, panic);
	setEngine(_state, this);
	openLibraries();
}

Engine::~Engine()
{
	_closing = true;
	lua_close(_state);
}

net::HostResolver& Engine::resolver()
{
	if (!_resolver) _resolver = std::make_unique<net::HostResolver>(_loop);
	return *_resolver;
}

void Engine::setResolver(std::unique_ptr<net::HostResolver> resolver)
{
	_resolver = std::move(resolver);
}

void* Engine::allocate(void* engine, void* block, std::size_t oldSize, std::size_t newSize)
{
	auto* self = static_cast<Engine*>(engine);
	std::size_t old = block ? oldSize : 0;  // without a block, oldSize names the object's type
	if (newSize == 0)
	{
		std::free(block);
		self->_memoryUsed -= old;
		return nullptr;
	}
	// Lua answers a refusal with an emergency collection and, failing that, a memory error.
	if (self->_enforceMemoryLimit && newSize > old && self->_memoryUsed - old + newSize > self->_settings.memoryLimit)
		return nullptr;
	void* resized = std::realloc(block, newSize);
	if (resized) self->_memoryUsed = self->_memoryUsed - old + newSize;
	return resized;
}

Engine& Engine::of(lua_State* L)
{
	Engine* engine;
	std::memcpy(&engine, lua_getextraspace(L), sizeof engine);
	return *engine;
}

void Engine::openLibraries()
{
	luaL_openlibs(_state);
	Scheduler::checkBusyLimitInCoroutines(_state);
	setModulePath();
	openSmtpLibrary(_state);
	if (_settings.sandbox) applySandbox();
	addPrecompiledSearcher(_state);
	lua_getglobal(_state, "require");
	lua_pushstring(_state, "smtpx.core");
	if (lua_pcall(_state, 1, 0, 0) != LUA_OK)
	{
		std::string message = lua_tostring(_state, -1);
		throw std::runtime_error("cannot load the smtpx standard library: " + message);
	}
}

void Engine::setModulePath()
{
	std::string path;
	for (const auto& dir : _settings.moduleDirs) path += dir + "/?.lua;" + dir + "/?/init.lua;";
	lua_getglobal(_state, "package");
	lua_pushstring(_state, path.c_str());
	lua_setfield(_state, -2, "path");
	lua_pop(_state, 1);
}

void Engine::applySandbox()
{
	if (luaL_dostring(_state, kSandboxCode) != LUA_OK)
		throw std::logic_error(std::string("sandbox set-up failed: ") + lua_tostring(_state, -1));
}

void Engine::pushScriptEnvironment(const ScriptParams& params, const std::string& server)
{
	lua_createtable(_state, 0, 2);
	lua_createtable(_state, 0, static_cast<int>(params.size()));
	for (const auto& [key, value] : params)
	{
		lua_pushlstring(_state, value.data(), value.size());
		lua_setfield(_state, -2, key.c_str());
	}
	lua_setfield(_state, -2, "params");
	if (!server.empty())
	{
		lua_pushstring(_state, server.c_str());
		lua_setfield(_state, -2, "server");
	}
	// Globals a script sets stay its own; reads fall through to the shared ones.
	lua_createtable(_state, 0, 1);
	lua_pushglobaltable(_state);
	lua_setfield(_state, -2, "__index");
	lua_setmetatable(_state, -2);
}

std::size_t Engine::startScript(const std::string& path, const ScriptParams& params, const std::string& server,
	const std::string& label)
{
	const char* mode = _settings.sandbox ? "t" : "bt";
	if (luaL_loadfilex(_state, path.c_str(), mode) != LUA_OK)
	{
		std::string message = lua_tostring(_state, -1);
		lua_pop(_state, 1);
		return _scheduler.failBeforeStart(label, exit_code::kScript, message);
	}
	pushScriptEnvironment(params, server);
	lua_pushvalue(_state, -1);
	lua_setupvalue(_state, -3, 1);  // the chunk's _ENV
	lua_getfield(_state, -1, "params");
	lua_remove(_state, -2);
	return _scheduler.spawn(_state, 1, label);
}

} // namespace smtpx::lua
