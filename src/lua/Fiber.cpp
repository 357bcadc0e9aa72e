#include "lua/Fiber.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#include <sys/mman.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define SMTPX_FIBER_ASAN 1
#endif

#if !defined(__x86_64__) || defined(SMTPX_FIBER_UCONTEXT)
#include <ucontext.h>
#define SMTPX_FIBER_USES_UCONTEXT 1
#endif

namespace smtpx::lua {

// The stack: a guard page below kStackBytes of memory reserved without committing it.
struct Fiber::Stack
{
	void* mapping = nullptr;
	std::size_t mappingBytes = 0;
#if SMTPX_FIBER_USES_UCONTEXT
	ucontext_t fiberContext;
	ucontext_t callerContext;
#endif

	Stack()
	{
		std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
		mappingBytes = kStackBytes + page;
		mapping = mmap(nullptr, mappingBytes, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
		if (mapping == MAP_FAILED)
			throw StackUnavailable(std::string("cannot reserve a stack for one more task: ") + std::strerror(errno) +
				" (each task reserves 8 MiB of address space and two memory mappings: see ulimit -v and vm.max_map_count)");
		// An overflow faults on the guard page instead of writing over another task's stack.
		mprotect(mapping, page, PROT_NONE);
		// A huge page would commit 2 MiB for the few KiB a waiting task touches.
		madvise(bottom(), kStackBytes, MADV_NOHUGEPAGE);
	}
	~Stack() { munmap(mapping, mappingBytes); }

	char* bottom() const { return static_cast<char*>(mapping) + (mappingBytes - kStackBytes); }
	char* top() const { return static_cast<char*>(mapping) + mappingBytes; }
};

namespace {

#if SMTPX_FIBER_USES_UCONTEXT

void switchContext(void** save, void* load)
{
	swapcontext(static_cast<ucontext_t*>(*save), static_cast<ucontext_t*>(load));
}

#else

// Saves the callee-saved registers, the SSE and x87 control words and the stack pointer on the
// current stack, stores that stack pointer in *save, and restores the same from `load`. A
// context that has never run holds the start trampoline as its return address, with the fiber
// in r12 and Fiber::start in r13.
extern "C" void smtpx_fiber_switch(void** save, void* load);
extern "C" void smtpx_fiber_trampoline();

asm(R"(
	.text
	.p2align 4
	.globl smtpx_fiber_switch
	.hidden smtpx_fiber_switch
	.type smtpx_fiber_switch, @function
smtpx_fiber_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	subq $8, %rsp
	stmxcsr (%rsp)
	fnstcw 4(%rsp)
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	ldmxcsr (%rsp)
	fldcw 4(%rsp)
	addq $8, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size smtpx_fiber_switch, .-smtpx_fiber_switch

	.p2align 4
	.globl smtpx_fiber_trampoline
	.hidden smtpx_fiber_trampoline
	.type smtpx_fiber_trampoline, @function
smtpx_fiber_trampoline:
	.cfi_startproc
	.cfi_undefined rip
	movq %r12, %rdi
	callq *%r13
	ud2
	.cfi_endproc
	.size smtpx_fiber_trampoline, .-smtpx_fiber_trampoline
)");

void switchContext(void** save, void* load)
{
	smtpx_fiber_switch(save, load);
}

#endif

} // namespace

Fiber::Fiber(Entry entry, void* argument):
	_stack(new Stack),
	_entry(entry),
	_argument(argument)
{
#if SMTPX_FIBER_USES_UCONTEXT
	_fiberContext = &_stack->fiberContext;
	_callerContext = &_stack->callerContext;
	ucontext_t& context = _stack->fiberContext;
	getcontext(&context);
	context.uc_stack.ss_sp = _stack->bottom();
	context.uc_stack.ss_size = kStackBytes;
	context.uc_link = nullptr;
	// makecontext passes int arguments only: the fiber's address goes in two halves.
	auto address = reinterpret_cast<std::uintptr_t>(this);
	auto startFromHalves = +[](unsigned high, unsigned low) {
		start(reinterpret_cast<Fiber*>((static_cast<std::uintptr_t>(high) << 32) | low));
	};
	makecontext(&context, reinterpret_cast<void (*)()>(startFromHalves), 2,
		static_cast<unsigned>(address >> 32), static_cast<unsigned>(address & 0xffffffffu));
#else
	// The frame smtpx_fiber_switch pops, top down: return address (the trampoline; it lands
	// 16-byte aligned, as a call expects), rbp, rbx, r12, r13, r14, r15, then the control words.
	auto* slot = reinterpret_cast<std::uint64_t*>(_stack->top());
	*--slot = reinterpret_cast<std::uint64_t>(&smtpx_fiber_trampoline);
	*--slot = 0;  // rbp: the end of the frame chain
	*--slot = 0;  // rbx
	*--slot = reinterpret_cast<std::uint64_t>(this);  // r12
	*--slot = reinterpret_cast<std::uint64_t>(&Fiber::start);  // r13
	*--slot = 0;  // r14
	*--slot = 0;  // r15
	--slot;
	auto* controlWords = reinterpret_cast<std::uint32_t*>(slot);
	asm volatile("stmxcsr %0" : "=m"(controlWords[0]));
	asm volatile("fnstcw %0" : "=m"(controlWords[1]));
	_fiberContext = slot;
#endif
}

Fiber::~Fiber()
{
	delete _stack;
}

void Fiber::resume()
{
	if (_running || _finished) throw std::logic_error("resuming a task that is not waiting");
	_running = true;
#if SMTPX_FIBER_ASAN
	void* callerFakeStack = nullptr;
	__sanitizer_start_switch_fiber(&callerFakeStack, _stack->bottom(), kStackBytes);
#endif
	switchContext(&_callerContext, _fiberContext);
#if SMTPX_FIBER_ASAN
	__sanitizer_finish_switch_fiber(callerFakeStack, nullptr, nullptr);
#endif
}

void Fiber::suspend()
{
	switchOut(false);
}

void Fiber::switchOut(bool forGood)
{
	_running = false;
#if SMTPX_FIBER_ASAN
	// A fiber that ends for good lets AddressSanitizer free its fake stack.
	__sanitizer_start_switch_fiber(forGood ? nullptr : &_fakeStack, _callerBottom, _callerSize);
#else
	(void)forGood;
#endif
	switchContext(&_fiberContext, _callerContext);
#if SMTPX_FIBER_ASAN
	__sanitizer_finish_switch_fiber(_fakeStack, &_callerBottom, &_callerSize);
#endif
}

void Fiber::start(Fiber* self) noexcept
{
#if SMTPX_FIBER_ASAN
	__sanitizer_finish_switch_fiber(nullptr, &self->_callerBottom, &self->_callerSize);
#endif
	self->_entry(self->_argument);
	self->_finished = true;
	self->switchOut(true);
	__builtin_unreachable();
}

} // namespace smtpx::lua
