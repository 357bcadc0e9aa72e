// ServeStats: what the exporter itself has done — probes by module and outcome, their time,
// requests refused — shared by the HTTP handler threads and written out at /metrics.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <ostream>
#include <string>

namespace smtpx::cli {

class ServeStats
{
public:
	ServeStats();

	void probeStarted();
	void probeFinished(const std::string& module, bool success, double seconds);
	void badRequest();

	// The exporter's own metrics in the Prometheus text format.
	void write(std::ostream& out) const;

private:
	struct ModuleCounts
	{
		unsigned long long successes = 0;
		unsigned long long failures = 0;
		double seconds = 0;
	};

	mutable std::mutex _mutex;
	std::map<std::string, ModuleCounts> _modules;
	unsigned long long _badRequests = 0;
	int _inFlight = 0;
	double _startTime;
};

} // namespace smtpx::cli
