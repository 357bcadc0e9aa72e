#include "cli/RunProgress.h"

#include <algorithm>
#include <cstdio>
#include <unistd.h>

namespace smtpx::cli {

namespace {

constexpr std::chrono::milliseconds kRedrawInterval{250};

} // namespace

bool RunProgress::wanted(std::size_t runs, bool quiet)
{
	return runs > 1 && quiet && isatty(STDERR_FILENO);
}

RunProgress::RunProgress(std::size_t total):
	_total(total),
	_start(std::chrono::steady_clock::now()),
	_thread([this] { redrawUntilStopped(); })
{
}

RunProgress::~RunProgress()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_stopping = true;
	}
	_wake.notify_one();
	_thread.join();
	draw();
	[[maybe_unused]] auto written = ::write(STDERR_FILENO, "\n", 1);
}

void RunProgress::finished(int exitCode)
{
	++_done;
	if (exitCode != 0) ++_failed;
}

void RunProgress::redrawUntilStopped()
{
	std::unique_lock<std::mutex> lock(_mutex);
	while (!_wake.wait_for(lock, kRedrawInterval, [this] { return _stopping; })) draw();
}

// One write(2) per line, so a transcript error line from another thread never lands inside it.
void RunProgress::draw() const
{
	double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - _start).count();
	std::size_t done = _done;
	char line[128];
	int length = std::snprintf(line, sizeof line, "\r\033[K%zu/%zu done, %zu failed, %.1f/s", done, _total,
		_failed.load(), seconds > 0 ? done / seconds : 0.0);
	if (length <= 0) return;
	std::size_t size = std::min(static_cast<std::size_t>(length), sizeof line - 1);
	[[maybe_unused]] auto written = ::write(STDERR_FILENO, line, size);
}

} // namespace smtpx::cli
