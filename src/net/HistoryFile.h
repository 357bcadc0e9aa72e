// HistoryFile: the lines a person typed at the console, kept for the next session: one a line,
// oldest first, at most `maxEntries` of them. Typed lines can hold what only their owner should
// read, so the file is created with mode 0600 (an existing one is set to it) and the directories
// made for it with 0700.
#pragma once

#include <cstddef>
#include <deque>
#include <string>

namespace smtpx::net {

class HistoryFile
{
public:
	// Reads the file (none yet: empty), creating it and its directories. Throws
	// std::runtime_error naming the file when it cannot.
	HistoryFile(std::string path, std::size_t maxEntries);

	const std::deque<std::string>& entries() const { return _entries; }
	const std::string& path() const { return _path; }

	// Appends `line` (no line end in it), dropping the oldest entry when full. Throws
	// std::runtime_error naming the file when it cannot be written.
	void add(const std::string& line);

private:
	void append(const std::string& line);
	void rewrite();

	std::string _path;
	std::size_t _maxEntries;
	std::deque<std::string> _entries;
};

} // namespace smtpx::net
