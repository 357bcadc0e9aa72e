// JsonLines: the --json output of every subcommand, JSON Lines (jsonlines.org): one compact JSON
// object a line, one line per session or target, which jq and other tools read a line at a time.
#pragma once

#include <Poco/JSON/Object.h>

#include <mutex>
#include <ostream>
#include <string>

namespace smtpx::report {

class JsonLines
{
public:
	explicit JsonLines(std::ostream& out): _out(out) {}

	// Writes `object` as one line and flushes it, so a reader sees each result as it comes. Text
	// that is not valid UTF-8 (a Lua string, a server's reply) is escaped byte by byte, so the line
	// is always valid JSON. Safe to call from several threads: lines never interleave.
	void write(const Poco::JSON::Object::Ptr& object);

	// An object whose keys are written in the order they are set: what identifies it first.
	static Poco::JSON::Object::Ptr newObject();

	// `text`, or null when it is empty (no error, no server, no file).
	static Poco::Dynamic::Var orNull(const std::string& text);

private:
	std::ostream& _out;
	std::mutex _mutex;
};

} // namespace smtpx::report
