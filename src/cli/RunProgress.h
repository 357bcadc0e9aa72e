// RunProgress: the live "12/100 done, 1 failed, 35.2/s" line of an `smtpx run` over many
// servers, redrawn in place on a terminal.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

namespace smtpx::cli {

class RunProgress
{
public:
	// Only on a terminal (a pipe or a file never gets the line), for several runs, and with
	// --quiet: otherwise the live transcript already shows how far the runs are.
	static bool wanted(std::size_t runs, bool quiet);

	// Starts redrawing the line a few times a second.
	explicit RunProgress(std::size_t total);
	// Draws the final counts and ends the line.
	~RunProgress();

	RunProgress(const RunProgress&) = delete;
	RunProgress& operator=(const RunProgress&) = delete;

	// Called from any event loop's thread as each run ends.
	void finished(int exitCode);

private:
	void redrawUntilStopped();
	void draw() const;

	const std::size_t _total;
	const std::chrono::steady_clock::time_point _start;
	std::atomic<std::size_t> _done{0};
	std::atomic<std::size_t> _failed{0};
	std::mutex _mutex;
	std::condition_variable _wake;
	bool _stopping = false;
	std::thread _thread;
};

} // namespace smtpx::cli
