// LineEditor: line editing and history on the terminal (stdin, drawn on stderr) with libedit's
// readline interface in callback mode: the event loop hands it one key at a time, so the loop
// never waits inside it. While a line is being edited, what goes to std::cerr (the live
// transcript) is printed above the prompt, and the line drawn again under it. libedit keeps its
// readline state in globals: there is one editor at a time.
#pragma once

#include <memory>
#include <optional>
#include <streambuf>
#include <string>

namespace smtpx::net {

class LineEditor
{
public:
	// Throws std::logic_error when another editor exists.
	LineEditor();
	// Ends the line being edited, if any: the terminal is left as it was found.
	~LineEditor();
	LineEditor(const LineEditor&) = delete;
	LineEditor& operator=(const LineEditor&) = delete;

	// Shows `prompt` and starts a line (the terminal in raw mode); nothing when a line is being
	// edited already (a caller that stopped waiting for it has come back).
	void begin(const std::string& prompt);
	bool editing() const { return _editing; }

	// Reads and handles one key from stdin, which must be readable. Returns true when the key
	// ended the line: `line` is then what was typed, or nullopt for the end of input (Ctrl-D on an
	// empty line). The terminal is back in its own mode then.
	bool feed(std::optional<std::string>& line);

	// Abandons the line being edited: takes it off the screen and gives the terminal back.
	void end();

	// For the Up arrow; past `entries` lines the oldest go.
	void addHistory(const std::string& line);
	void limitHistory(std::size_t entries);

	// What the output redirection calls: takes the line off the screen, and draws it again.
	void hideLine();
	void redrawLine();

private:
	static void onLine(char* line);
	void restoreOutput();

	std::string _prompt;
	bool _editing = false;
	bool _keysFed = false;   // libedit's cursor position (rl_point) is for this line
	bool _lineDone = false;
	std::optional<std::string> _line;
	std::unique_ptr<std::streambuf> _output;  // std::cerr's buffer while a line is edited
	std::streambuf* _savedOutput = nullptr;
};

} // namespace smtpx::net
