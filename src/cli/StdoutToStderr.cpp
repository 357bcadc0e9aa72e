#include "cli/StdoutToStderr.h"

#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace smtpx::cli {

namespace {

// Both stdio and iostreams buffer: what was written before the switch belongs where it was.
void flushStdout()
{
	std::cout.flush();
	std::fflush(stdout);
}

} // namespace

StdoutToStderr::StdoutToStderr(bool active)
{
	if (!active) return;
	flushStdout();
	_saved = dup(STDOUT_FILENO);
	if (_saved >= 0) dup2(STDERR_FILENO, STDOUT_FILENO);
}

StdoutToStderr::~StdoutToStderr()
{
	if (_saved < 0) return;
	flushStdout();
	dup2(_saved, STDOUT_FILENO);
	close(_saved);
}

} // namespace smtpx::cli
