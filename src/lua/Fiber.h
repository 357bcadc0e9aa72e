// Fiber: a C stack of its own for one task, entered with resume() and left with suspend().
// The scheduler gives every task one, so a task that waits on the event loop is left by a stack
// switch (some twenty instructions) instead of lua_yield, which in Lua built as C++ is a C++
// throw that libgcc unwinds frame by frame (about 30,000 instructions).
//
// A fiber's frames are never unwound when it is dropped while suspended: what they own would
// leak. So, as across a yield, code that suspends keeps no owning C++ locals (see Scheduler).
#pragma once

#include <cstddef>
#include <stdexcept>

namespace smtpx::lua {

class Fiber
{
public:
	using Entry = void (*)(void* argument);

	// The stack is reserved, not committed: only the pages a task touches take memory.
	static constexpr std::size_t kStackBytes = 8 * 1024 * 1024;

	// The stack could not be reserved: the address-space limit (ulimit -v), or the kernel's
	// count of memory mappings (each fiber takes two: vm.max_map_count).
	class StackUnavailable : public std::runtime_error
	{
	public:
		using std::runtime_error::runtime_error;
	};

	// Does not start the fiber: the first resume() calls entry(argument) on the new stack.
	// Throws StackUnavailable.
	Fiber(Entry entry, void* argument);
	~Fiber();
	Fiber(const Fiber&) = delete;
	Fiber& operator=(const Fiber&) = delete;

	// Runs the fiber until it suspends or its entry returns, then returns to the caller, on
	// whatever stack the caller runs (the thread's own, or another fiber's). Throws
	// std::logic_error when the fiber is running already or has finished.
	void resume();

	// From inside the fiber: back to the caller of resume(), until the next resume().
	void suspend();

	bool running() const { return _running; }
	bool finished() const { return _finished; }

private:
	struct Stack;

	[[noreturn]] static void start(Fiber* self) noexcept;
	void switchOut(bool forGood);

	Stack* _stack;
	Entry _entry;
	void* _argument;
	void* _fiberContext = nullptr;   // where the fiber's registers were saved
	void* _callerContext = nullptr;  // where the resumer's registers were saved
	bool _running = false;
	bool _finished = false;
	// AddressSanitizer must be told which stack is live (see Fiber.cpp); unused otherwise.
	void* _fakeStack = nullptr;
	const void* _callerBottom = nullptr;
	std::size_t _callerSize = 0;
};

} // namespace smtpx::lua
