// ScriptEngine: a Lua engine on its own loop, without a network, for unit tests that run short
// scripts (test_engine, test_console, test_nagios_report).
#pragma once

#include "lua/Engine.h"

#include <Poco/JSON/Object.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>

namespace smtpx::testing {

struct ScriptEngine
{
	std::ostringstream console;
	report::Transcript transcript{console, {}};
	net::EventLoop loop;
	lua::Engine engine;

	ScriptEngine(): ScriptEngine(settings()) {}
	explicit ScriptEngine(const lua::EngineSettings& engineSettings): engine(loop, transcript, engineSettings) {}

	// The source tree's stdlib; `sandbox` as --sandbox gives it.
	static lua::EngineSettings settings(bool sandbox = false)
	{
		lua::EngineSettings s;
		s.stdlibDir = SMTPX_SOURCE_DIR "/stdlib";
		s.moduleDirs = {s.stdlibDir};
		s.sandbox = sandbox;
		return s;
	}

	// Writes `code` to a file named after `name` and this process in /tmp (ctest runs test cases
	// side by side); returns its path.
	std::string writeScript(const std::string& name, const std::string& code)
	{
		std::string path = "/tmp/smtpx-unit-" + std::to_string(::getpid()) + "-" + name + ".lua";
		std::ofstream(path) << code;
		written.insert(path);
		return path;
	}

	~ScriptEngine()
	{
		for (const auto& path : written) std::remove(path.c_str());
	}

	std::set<std::string> written;

	// Runs `code` as a script to its end; its result stays valid until the next run.
	const lua::RunResult& runOne(const std::string& code, const lua::ScriptParams& params = {})
	{
		engine.startScript(writeScript("script", code), params, "", "");
		engine.run();
		return engine.results().back();
	}

	// Runs `code`, which must end with exit code 0 and return a table: that table.
	Poco::JSON::Object::Ptr runForTable(const std::string& code)
	{
		const lua::RunResult& result = runOne(code);
		INFO(result.error);
		REQUIRE(result.exitCode == 0);
		return result.value.extract<Poco::JSON::Object::Ptr>();
	}
};

} // namespace smtpx::testing
