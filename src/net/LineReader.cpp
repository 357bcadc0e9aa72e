#include "net/LineReader.h"

namespace smtpx::net {

namespace {

// Consumed bytes are dropped from the front of the buffer only once they are at least this many
// and at least half the buffer, so compaction stays amortised O(1) per byte.
constexpr std::size_t kCompactThreshold = 4096;

} // namespace

LineReader::LineReader(std::size_t maxLine):
	_maxLine(maxLine)
{
}

void LineReader::append(std::string_view bytes)
{
	// Every line is checked against the limit before its bytes are buffered, so an endless line
	// costs at most maxLine bytes of buffer no matter how it is split into reads.
	std::size_t tailLength = _buffer.size() - _linesEnd;
	char last = tailLength > 0 ? _buffer.back() : '\0';
	std::size_t lineStart = 0;
	for (;;)
	{
		const std::size_t lf = bytes.find('\n', lineStart);
		const std::size_t stop = (lf == std::string_view::npos) ? bytes.size() : lf;
		if (stop > lineStart)
			last = bytes[stop - 1];
		if (tooLong(tailLength + stop - lineStart, last))
		{
			keepCompleteLines(bytes.substr(0, lineStart));
			throw LineTooLong("line from server longer than " + std::to_string(_maxLine) + " bytes");
		}
		if (lf == std::string_view::npos)
			break;
		tailLength = 0;
		lineStart = lf + 1;
	}
	const std::size_t oldSize = _buffer.size();
	_buffer.append(bytes);
	if (lineStart > 0)
		_linesEnd = oldSize + lineStart;
}

bool LineReader::nextLine(std::string& line, bool& bareLf)
{
	if (_start >= _linesEnd)
		return false;
	const std::size_t lf = _buffer.find('\n', _start);
	std::size_t end = lf;
	bareLf = !(end > _start && _buffer[end - 1] == '\r');
	if (!bareLf)
		--end;
	line.assign(_buffer, _start, end - _start);
	_start = lf + 1;
	compact();
	return true;
}

std::string LineReader::takeBuffered()
{
	std::string rest = _buffer.substr(_start);
	_buffer.clear();
	_start = 0;
	_linesEnd = 0;
	return rest;
}

bool LineReader::tooLong(std::size_t length, char last) const
{
	// A final CR may yet turn out to begin the line's CRLF, so it does not count.
	return length > _maxLine + 1 || (length == _maxLine + 1 && last != '\r');
}

void LineReader::keepCompleteLines(std::string_view completing)
{
	if (completing.empty())
	{
		_buffer.resize(_linesEnd);
		return;
	}
	_buffer.append(completing);
	_linesEnd = _buffer.size();
}

void LineReader::compact()
{
	if (_start == _buffer.size())
	{
		_buffer.clear();
		_start = 0;
		_linesEnd = 0;
	}
	else if (_start >= kCompactThreshold && _start * 2 >= _buffer.size())
	{
		_buffer.erase(0, _start);
		_linesEnd -= _start;
		_start = 0;
	}
}

} // namespace smtpx::net
