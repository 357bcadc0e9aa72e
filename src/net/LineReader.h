// LineReader: splits a byte stream from a server into lines, bounded in memory.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace smtpx::net {

class LineTooLong : public std::runtime_error
{
public:
	using std::runtime_error::runtime_error;
};

class LineReader
{
public:
	static constexpr std::size_t kDefaultMaxLine = 64 * 1024;

	explicit LineReader(std::size_t maxLine = kDefaultMaxLine);

	// Appends received bytes. Throws LineTooLong as soon as the unterminated tail exceeds maxLine
	// bytes (so a 10 MB line without CRLF never gets buffered whole). The overlong line is then
	// dropped; the complete lines before it stay buffered.
	void append(std::string_view bytes);

	// Takes the next complete line into `line` (without its line end). Lines end with CRLF; a bare
	// LF also ends a line and sets `bareLf`. A CR not followed by LF stays in the line.
	// Returns false when no complete line is buffered.
	bool nextLine(std::string& line, bool& bareLf);

	// Bytes buffered but not yet returned as lines.
	std::size_t buffered() const { return _buffer.size() - _start; }
	// The bytes after the last complete line: a line whose end has not come (yet).
	std::string_view unterminated() const { return std::string_view(_buffer).substr(_linesEnd); }
	// Takes all buffered bytes out (used when a connection switches to TLS or to raw mode).
	std::string takeBuffered();

private:
	bool tooLong(std::size_t length, char last) const;
	void keepCompleteLines(std::string_view completing);
	void compact();

	std::string _buffer;
	std::size_t _start = 0;     // where the next line begins
	std::size_t _linesEnd = 0;  // just past the last LF buffered: where the unterminated tail begins
	std::size_t _maxLine;
};

} // namespace smtpx::net
