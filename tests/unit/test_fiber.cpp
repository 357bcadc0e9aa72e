// Fiber: a task's own C stack, entered with resume() and left with suspend().
#include "lua/Fiber.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

using smtpx::lua::Fiber;

namespace {

struct Steps
{
	Fiber* fiber = nullptr;
	std::vector<std::string> log;
};

void threeSteps(void* argument)
{
	auto& steps = *static_cast<Steps*>(argument);
	std::string kept = "a local kept across suspends";
	for (int i = 1; i <= 3; ++i)
	{
		steps.log.push_back("step " + std::to_string(i));
		steps.fiber->suspend();
	}
	steps.log.push_back(kept);
}

} // namespace

TEST_CASE("a fiber runs until it suspends, resumes where it left off, and finishes")
{
	Steps steps;
	Fiber fiber(threeSteps, &steps);
	steps.fiber = &fiber;
	CHECK(steps.log.empty());  // made, not started
	for (int i = 1; i <= 3; ++i)
	{
		fiber.resume();
		CHECK_FALSE(fiber.finished());
		CHECK(steps.log.back() == "step " + std::to_string(i));
	}
	fiber.resume();
	CHECK(fiber.finished());
	CHECK(steps.log.back() == "a local kept across suspends");
	CHECK_THROWS_AS(fiber.resume(), std::logic_error);
}

namespace {

struct Nested
{
	Fiber* outer = nullptr;
	Fiber* inner = nullptr;
	std::vector<std::string> log;
};

void innerEntry(void* argument)
{
	auto& nested = *static_cast<Nested*>(argument);
	nested.log.push_back("inner runs");
	nested.inner->suspend();  // back to the outer fiber, which resumed it
	nested.log.push_back("inner ends");
}

void outerEntry(void* argument)
{
	auto& nested = *static_cast<Nested*>(argument);
	nested.inner->resume();
	nested.log.push_back("outer after inner suspended");
	nested.outer->suspend();  // back to the test
	nested.log.push_back("outer ends");
}

} // namespace

TEST_CASE("a fiber suspends to whoever resumed it, another fiber or the thread")
{
	Nested nested;
	Fiber outer(outerEntry, &nested);
	Fiber inner(innerEntry, &nested);
	nested.outer = &outer;
	nested.inner = &inner;
	outer.resume();
	CHECK(nested.log == std::vector<std::string>{"inner runs", "outer after inner suspended"});
	CHECK(inner.running() == false);
	inner.resume();  // now from the thread's own stack
	CHECK(inner.finished());
	outer.resume();
	CHECK(outer.finished());
	CHECK(nested.log.back() == "outer ends");
}

namespace {

struct Throwing
{
	Fiber* fiber = nullptr;
	std::string caught;
};

void throwsAndCatches(void* argument)
{
	auto& state = *static_cast<Throwing*>(argument);
	state.fiber->suspend();
	try
	{
		throw std::runtime_error("thrown on the fiber's stack");
	}
	catch (const std::runtime_error& e)
	{
		state.caught = e.what();
	}
}

// Recursion that needs far more stack than a thread's first pages: the fiber's reserve is there.
int deep(int depth)
{
	volatile char page[4096];
	std::memset(const_cast<char*>(page), depth & 0xff, sizeof page);
	return depth == 0 ? page[0] : deep(depth - 1) + page[1];
}

void recurses(void* argument)
{
	*static_cast<int*>(argument) = deep(1000);  // about 4 MiB
}

} // namespace

TEST_CASE("exceptions unwind within a fiber after it has been suspended")
{
	Throwing state;
	Fiber fiber(throwsAndCatches, &state);
	state.fiber = &fiber;
	fiber.resume();
	fiber.resume();
	CHECK(fiber.finished());
	CHECK(state.caught == "thrown on the fiber's stack");
}

TEST_CASE("a fiber has megabytes of stack, like a thread")
{
	int result = -1;
	Fiber fiber(recurses, &result);
	fiber.resume();
	CHECK(fiber.finished());
	CHECK(result == deep(1000));
}
