// Transcript: the live record of every dialogue, in the style swaks users know:
//   " -> " client line, "<-  " server line, " ~> " / "<~  " the same inside TLS,
//   "=== " information, "*** " error; each with the milliseconds since its session began.
#pragma once

#include <chrono>
#include <fstream>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

namespace smtpx::report {

enum class LineKind { Client, Server, Info, Error };

class Transcript
{
public:
	struct Options
	{
		bool quiet = false;      // stderr shows errors only (the file still gets everything)
		bool color = false;      // ANSI colours on stderr
		bool labels = false;     // prefix each line with its session's label (several sessions)
		std::string filePath;    // also write everything here, never coloured

		// Options for stderr: colour when it is a terminal and NO_COLOR is unset.
		static Options forConsole(bool quiet, bool labels, std::string filePath);
	};

	static constexpr std::string_view kSecretMask = "****";

	// Throws std::runtime_error naming the file when it cannot be opened.
	Transcript(std::ostream& console, Options options);

	void write(std::string_view label, double elapsedMs, LineKind kind, bool tls, std::string_view text);
	// Whether a line of this kind goes anywhere: a quiet run without a file keeps only errors, and
	// a line nobody reads need not be built.
	bool records(LineKind kind) const;

	// Colour when stderr is a terminal and NO_COLOR is unset or empty.
	static bool consoleWantsColor();

private:
	std::string format(std::string_view label, double elapsedMs, LineKind kind, bool tls, std::string_view text) const;
	// --quiet keeps all but errors off the console.
	bool reachesConsole(LineKind kind) const;

	std::ostream& _console;
	Options _options;
	std::ofstream _file;
	std::mutex _mutex;  // sessions on several event-loop threads share one transcript
};

// One session's view of the transcript: its label, its clock, whether it is inside TLS.
class SessionLog
{
public:
	SessionLog(Transcript& transcript, std::string label);

	void client(std::string_view text, bool secret = false);
	void server(std::string_view text);
	void info(std::string_view text);
	void error(std::string_view text);
	bool recordsInfo() const { return _transcript.records(LineKind::Info); }
	void setTls(bool tls) { _tls = tls; }
	double elapsedMs() const;
	const std::string& label() const { return _label; }

private:
	Transcript& _transcript;
	std::string _label;
	std::chrono::steady_clock::time_point _start;
	bool _tls = false;
};

} // namespace smtpx::report
