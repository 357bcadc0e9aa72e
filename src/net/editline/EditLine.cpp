#include "net/editline/EditLine.h"

#include <editline/readline.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string_view>
#include <sys/ioctl.h>
#include <unistd.h>
#include <utility>

namespace smtpx::net {

namespace {

EditLine* gEditor = nullptr;

std::size_t terminalColumns()
{
	winsize size{};
	if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
	return 80;
}

// std::cerr's buffer while a line is edited. std::cerr flushes after every output, and each flush
// writes its whole lines above the line being edited; a part line waits for its end.
class AboveTheLine : public std::streambuf
{
public:
	AboveTheLine(std::streambuf& target, EditLine& editor): _target(target), _editor(editor) {}

	// The rest, as it is: the line is no longer on the screen.
	void flushRest()
	{
		_target.sputn(_pending.data(), static_cast<std::streamsize>(_pending.size()));
		_target.pubsync();
		_pending.clear();
	}

protected:
	int_type overflow(int_type c) override
	{
		if (!traits_type::eq_int_type(c, traits_type::eof())) _pending += traits_type::to_char_type(c);
		return traits_type::not_eof(c);
	}

	std::streamsize xsputn(const char* text, std::streamsize n) override
	{
		_pending.append(text, static_cast<std::size_t>(n));
		return n;
	}

	int sync() override
	{
		std::size_t end = _pending.rfind('\n');
		if (end == std::string::npos) return 0;
		std::string lines;
		// In raw mode the terminal may not turn LF into CRLF.
		for (char c : std::string_view(_pending).substr(0, end + 1))
		{
			if (c == '\n') lines += '\r';
			lines += c;
		}
		_pending.erase(0, end + 1);
		_editor.hideLine();
		_target.sputn(lines.data(), static_cast<std::streamsize>(lines.size()));
		_target.pubsync();
		_editor.redrawLine();
		return 0;
	}

private:
	std::streambuf& _target;
	EditLine& _editor;
	std::string _pending;
};

} // namespace

EditLine::EditLine()
{
	if (gEditor) throw std::logic_error("there is a line editor already");
	gEditor = this;
	rl_readline_name = "smtpx";  // its settings in ~/.editrc
	rl_instream = stdin;
	rl_outstream = stderr;
	rl_initialize();
	rl_inhibit_completion = 1;  // Tab types a tab (message text may want one), not a file name
	// os.exit() in a script skips every destructor: it must not leave the terminal in raw mode.
	static bool exitHookSet = false;
	if (!std::exchange(exitHookSet, true)) std::atexit([] { if (gEditor) gEditor->end(); });
}

EditLine::~EditLine()
{
	end();
	gEditor = nullptr;
}

void EditLine::begin(const std::string& prompt)
{
	if (_editing) return;
	_prompt = prompt;
	_editing = true;
	_keysFed = false;
	_lineDone = false;
	_line.reset();
	std::cerr.flush();
	rl_callback_handler_install(_prompt.c_str(), onLine);  // prints the prompt
	_savedOutput = std::cerr.rdbuf();
	_output = std::make_unique<AboveTheLine>(*_savedOutput, *this);
	std::cerr.rdbuf(_output.get());
}

void EditLine::onLine(char* line)
{
	gEditor->_lineDone = true;
	if (line) gEditor->_line = line;
	std::free(line);  // libedit hands over a copy
}

bool EditLine::feed(std::optional<std::string>& line)
{
	rl_callback_read_char();
	_keysFed = true;
	if (!_lineDone) return false;
	rl_callback_handler_remove();  // libedit gave the terminal back with the line
	_editing = false;
	if (!_line) std::fputs("\n", stderr);  // Ctrl-D: what follows starts on a line of its own
	restoreOutput();
	line = std::move(_line);
	return true;
}

void EditLine::end()
{
	if (!_editing) return;
	hideLine();
	rl_callback_handler_remove();
	_editing = false;
	restoreOutput();
}

void EditLine::restoreOutput()
{
	if (!_savedOutput) return;
	std::cerr.rdbuf(_savedOutput);
	static_cast<AboveTheLine&>(*_output).flushRest();
	_savedOutput = nullptr;
	_output.reset();
}

void EditLine::addHistory(const std::string& line)
{
	add_history(line.c_str());
}

void EditLine::limitHistory(std::size_t entries)
{
	stifle_history(static_cast<int>(std::min<std::size_t>(entries, 1 << 30)));
}

void EditLine::hideLine()
{
	std::size_t cursor = _prompt.size() + (_keysFed ? static_cast<std::size_t>(std::max(rl_point, 0)) : 0);
	std::size_t rowsUp = cursor / terminalColumns();
	std::string erase = (rowsUp ? "\x1b[" + std::to_string(rowsUp) + "A" : std::string()) + "\r\x1b[J";
	std::fputs(erase.c_str(), stderr);
	std::fflush(stderr);
}

void EditLine::redrawLine()
{
	rl_forced_update_display();
}

} // namespace smtpx::net

extern "C" smtpx::net::LineEditor* smtpx_new_line_editor()
{
	return new smtpx::net::EditLine;
}
