// LineEditor: line editing and history on the terminal (stdin, drawn on stderr), fed one key at a
// time by the event loop, so the loop never waits inside it. While a line is being edited, what
// goes to std::cerr (the live transcript) is printed above the prompt, and the line drawn again
// under it.
//
// The editor is libedit's readline interface in a module (libsmtpx_editline.so, src/net/editline)
// that open() loads: libedit and the terminfo library it brings took a sixth of the start-up
// time of every smtpx run, and only `smtpx shell` on a terminal uses them.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace smtpx::net {

class LineEditor
{
public:
	// Loads the module and makes the editor. Throws std::runtime_error when the module cannot be
	// loaded (naming where it looked), std::logic_error when another editor exists: libedit keeps
	// its state in globals, so there is one editor at a time.
	static std::unique_ptr<LineEditor> open();

	// Ends the line being edited, if any: the terminal is left as it was found.
	virtual ~LineEditor() = default;

	// Shows `prompt` and starts a line (the terminal in raw mode); nothing when a line is being
	// edited already (a caller that stopped waiting for it has come back).
	virtual void begin(const std::string& prompt) = 0;
	virtual bool editing() const = 0;

	// Reads and handles one key from stdin, which must be readable. Returns true when the key
	// ended the line: `line` is then what was typed, or nullopt for the end of input (Ctrl-D on an
	// empty line). The terminal is back in its own mode then.
	virtual bool feed(std::optional<std::string>& line) = 0;

	// Abandons the line being edited: takes it off the screen and gives the terminal back.
	virtual void end() = 0;

	// For the Up arrow; past `entries` lines the oldest go.
	virtual void addHistory(const std::string& line) = 0;
	virtual void limitHistory(std::size_t entries) = 0;
};

} // namespace smtpx::net

// The module's one entry point, looked up by name after dlopen: a new editor, owned by the caller.
extern "C" smtpx::net::LineEditor* smtpx_new_line_editor();
