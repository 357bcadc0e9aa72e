// Console: stdin as smtp.read_line sees it — lines, read without ever blocking the event loop.
// When stdin and stderr are terminals a LineEditor edits each line (history with the Up arrow);
// otherwise lines are taken as they come (a pipe, a file). One task at a time may wait for a line;
// it is resumed with the line, nil at the end of input, nil and "timeout" when no line came in
// time (what was typed so far stays for the next call), or nil, "error" and why. State that must
// survive the wait lives here. There is one console per process: stdin is one.
#pragma once

#include "lua/LuaHeaders.h"
#include "lua/Scheduler.h"
#include "net/DescriptorWatch.h"
#include "net/EventLoop.h"
#include "net/HistoryFile.h"
#include "net/LineEditor.h"
#include "net/LineReader.h"

#include <memory>
#include <optional>
#include <string>

namespace smtpx::lua {

class Engine;

class Console
{
public:
	// Lines kept for the Up arrow (and in a history file) unless the script says otherwise.
	static constexpr std::size_t kDefaultHistoryEntries = 1000;

	// The console of L's engine, made on first use. Throws std::runtime_error when another
	// engine (another event-loop thread) has stdin already.
	static Console& of(lua_State* L);
	// Lines are edited (libedit) when stdin and stderr are both terminals.
	static bool editsLines();

	explicit Console(Engine& engine);
	~Console();
	Console(const Console&) = delete;
	Console& operator=(const Console&) = delete;

	// When a line (or the end of input) is at hand, pushes the outcome and returns how many
	// values; otherwise 0.
	int takeLine(lua_State* L);
	// Records `waiter` (a task of `run`), to be resumed with the outcome; `timeout` in seconds
	// (infinity: none). Throws std::logic_error when another task waits already.
	void waitForLine(lua_State* waiter, Scheduler::RunId run, const std::string& prompt, double timeout);

	// Keeps `line` for the Up arrow and in the history file, if one is open. Empty lines and
	// repeats of the last one are not kept.
	void addHistory(const std::string& line);
	// Loads the history from `path` and appends every later line to it. Throws std::runtime_error.
	void openHistory(const std::string& path, std::size_t maxEntries);

private:
	void onReady(net::DescriptorWatch::Readiness readiness);
	void readPiped(net::DescriptorWatch::Readiness readiness);
	void readTyped(net::DescriptorWatch::Readiness readiness);
	void showPrompt(const std::string& prompt);
	void endPipedInput();
	std::optional<std::string> nextPipedLine();
	void deliver(std::optional<std::string> line);
	void deliverError(const std::string& message);
	lua_State* takeWaiter();
	void closeForRun();
	void watchRun(Scheduler::RunId run);

	Engine& _engine;
	net::DescriptorWatch _watch;
	std::unique_ptr<net::LineEditor> _editor;  // null: lines are read as they come
	net::LineReader _reader;                    // those lines
	std::unique_ptr<net::HistoryFile> _history;
	std::string _lastHistory;
	bool _ended = false;                        // the end of input was met (and reported)
	bool _promptShown = false;                  // for the line being read as it comes
	lua_State* _waiter = nullptr;
	net::EventLoop::TimerId _timer = 0;
	std::optional<Scheduler::RunId> _run;      // the run whose end closes the console's wait
	std::size_t _closerKey = 0;
};

} // namespace smtpx::lua
