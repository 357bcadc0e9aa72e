#include "lua/Console.h"

#include "lua/Engine.h"

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <unistd.h>

namespace smtpx::lua {

namespace {

constexpr const char* kRegistryKey = "smtpx.Console";
constexpr std::size_t kReadChunk = 4096;

// stdin is the process's: a second engine (another --threads loop) must not read it too.
std::atomic<bool> gStdinTaken{false};

int collectConsole(lua_State* L)
{
	auto** box = static_cast<Console**>(lua_touserdata(L, 1));
	delete *box;
	*box = nullptr;
	return 0;
}

} // namespace

Console& Console::of(lua_State* L)
{
	if (lua_getfield(L, LUA_REGISTRYINDEX, kRegistryKey) == LUA_TUSERDATA)
	{
		Console* console = *static_cast<Console**>(lua_touserdata(L, -1));
		lua_pop(L, 1);
		return *console;
	}
	lua_pop(L, 1);
	auto** box = static_cast<Console**>(lua_newuserdatauv(L, sizeof(Console*), 0));
	*box = nullptr;
	lua_createtable(L, 0, 1);
	lua_pushcfunction(L, collectConsole);
	lua_setfield(L, -2, "__gc");
	lua_setmetatable(L, -2);
	if (gStdinTaken.exchange(true)) throw std::runtime_error("another event loop reads the console (use --threads 1)");
	try
	{
		*box = new Console(Engine::of(L));
	}
	catch (...)
	{
		gStdinTaken = false;
		throw;
	}
	lua_setfield(L, LUA_REGISTRYINDEX, kRegistryKey);
	return **box;
}

bool Console::editsLines()
{
	return isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
}

Console::Console(Engine& engine):
	_engine(engine),
	_watch(engine.loop(), STDIN_FILENO, [this](net::DescriptorWatch::Readiness readiness) { onReady(readiness); })
{
	if (!editsLines()) return;
	try
	{
		_editor = net::LineEditor::open();
	}
	catch (const std::runtime_error& e)
	{
		// Lines are still read, as the terminal's own line discipline edits them.
		std::cerr << "smtpx: no line editing or history: " << e.what() << std::endl;
		return;
	}
	_editor->limitHistory(kDefaultHistoryEntries);
}

Console::~Console()
{
	if (_timer) _engine.loop().cancelTimer(_timer);
	if (_run) _engine.scheduler().removeCloser(*_run, _closerKey);
	_editor.reset();  // the terminal as it was, before anything else can fail
	gStdinTaken = false;
}

int Console::takeLine(lua_State* L)
{
	std::optional<std::string> line = _editor ? std::nullopt : nextPipedLine();
	if (line)
	{
		lua_pushlstring(L, line->data(), line->size());
		return 1;
	}
	if (!_ended) return 0;
	lua_pushnil(L);
	return 1;
}

void Console::waitForLine(lua_State* waiter, Scheduler::RunId run, const std::string& prompt, double timeout)
{
	if (_waiter) throw std::logic_error("another task is waiting for a line from the console");
	watchRun(run);
	_waiter = waiter;
	if (_editor)
		_editor->begin(prompt);
	else
		showPrompt(prompt);
	_watch.arm();
	if (!std::isfinite(timeout)) return;
	_timer = _engine.loop().startTimer(net::EventLoop::delay(timeout), [this] {
		_timer = 0;
		lua_State* waiter = takeWaiter();
		lua_pushnil(waiter);
		lua_pushliteral(waiter, "timeout");
		_engine.scheduler().resume(waiter, 2);
	});
}

// A prompt only makes sense to a person: not into a log file stderr was sent to. Once per line,
// not again when a caller comes back after a timeout.
void Console::showPrompt(const std::string& prompt)
{
	if (_promptShown || prompt.empty() || !isatty(STDERR_FILENO)) return;
	_promptShown = true;
	std::fputs(prompt.c_str(), stderr);
	std::fflush(stderr);
}

void Console::onReady(net::DescriptorWatch::Readiness readiness)
{
	if (_editor)
		readTyped(readiness);
	else
		readPiped(readiness);
}

void Console::readTyped(net::DescriptorWatch::Readiness readiness)
{
	if (readiness.hungUp)
	{
		// The terminal is gone (libedit would read nothing from it, forever).
		_editor->end();
		_ended = true;
		return deliver(std::nullopt);
	}
	std::optional<std::string> line;
	if (!_editor->feed(line)) return _watch.arm();
	if (!line) _ended = true;
	deliver(std::move(line));
}

void Console::readPiped(net::DescriptorWatch::Readiness readiness)
{
	char buffer[kReadChunk];
	ssize_t n = readiness.readable ? ::read(STDIN_FILENO, buffer, sizeof buffer) : 0;
	if (n < 0 && (errno == EINTR || errno == EAGAIN)) return _watch.arm();
	if (n < 0) return deliverError(std::string("cannot read stdin: ") + std::strerror(errno));
	try
	{
		if (n > 0)
			_reader.append(std::string_view(buffer, static_cast<std::size_t>(n)));
		else
			endPipedInput();
	}
	catch (const net::LineTooLong& e)
	{
		return deliverError(e.what());
	}
	std::optional<std::string> line = nextPipedLine();
	if (line || _ended) return deliver(std::move(line));
	_watch.arm();
}

// The last line may lack its line end: it is a line all the same (io.read("l") takes it too).
void Console::endPipedInput()
{
	_ended = true;
	if (!_reader.unterminated().empty()) _reader.append("\n");
}

std::optional<std::string> Console::nextPipedLine()
{
	std::string line;
	bool bareLf;
	if (!_reader.nextLine(line, bareLf)) return std::nullopt;
	_promptShown = false;
	return line;
}

void Console::deliver(std::optional<std::string> line)
{
	lua_State* waiter = takeWaiter();
	if (!waiter) return;
	if (line)
		lua_pushlstring(waiter, line->data(), line->size());
	else
		lua_pushnil(waiter);
	_engine.scheduler().resume(waiter, 1);
}

void Console::deliverError(const std::string& message)
{
	lua_State* waiter = takeWaiter();
	if (!waiter) return;
	lua_pushnil(waiter);
	lua_pushliteral(waiter, "error");
	lua_pushlstring(waiter, message.data(), message.size());
	_engine.scheduler().resume(waiter, 3);
}

lua_State* Console::takeWaiter()
{
	lua_State* waiter = std::exchange(_waiter, nullptr);
	if (_timer) _engine.loop().cancelTimer(_timer);
	_timer = 0;
	_watch.disarm();
	if (waiter) lua_checkstack(waiter, 3);
	return waiter;
}

void Console::watchRun(Scheduler::RunId run)
{
	if (_run == run) return;
	if (_run) _engine.scheduler().removeCloser(*_run, _closerKey);
	_run = run;
	_closerKey = _engine.scheduler().addCloser(run, [this] { closeForRun(); });
}

// The run ended (or its main task failed): the line being edited goes, the terminal is given
// back, and a task still waiting meets the end of input — from the loop, not re-entrantly.
void Console::closeForRun()
{
	_run.reset();
	if (_editor) _editor->end();
	if (!_waiter) return;
	_engine.loop().defer([this] { deliver(std::nullopt); });
}

void Console::addHistory(const std::string& line)
{
	if (line.empty() || line == _lastHistory) return;
	_lastHistory = line;
	if (_editor) _editor->addHistory(line);
	if (_history) _history->add(line);
}

void Console::openHistory(const std::string& path, std::size_t maxEntries)
{
	auto history = std::make_unique<net::HistoryFile>(path, maxEntries);
	if (_editor)
	{
		_editor->limitHistory(maxEntries);
		for (const auto& entry : history->entries()) _editor->addHistory(entry);
	}
	if (!history->entries().empty()) _lastHistory = history->entries().back();
	_history = std::move(history);
}

} // namespace smtpx::lua
