// FuzzCheck: the assertion fuzz targets use for the properties they check. A failed check aborts,
// which libFuzzer (and the corpus replay driver) report as a crash with the input that caused it.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition) \
	do \
	{ \
		if (!(condition)) \
		{ \
			std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #condition); \
			std::abort(); \
		} \
	} while (false)
