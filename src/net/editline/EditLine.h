// EditLine: the LineEditor of the editline module, libedit's readline interface in callback
// mode. libedit keeps its readline state in globals: there is one editor at a time.
#pragma once

#include "net/LineEditor.h"

#include <streambuf>

namespace smtpx::net {

class EditLine : public LineEditor
{
public:
	// Throws std::logic_error when another editor exists.
	EditLine();
	~EditLine() override;
	EditLine(const EditLine&) = delete;
	EditLine& operator=(const EditLine&) = delete;

	void begin(const std::string& prompt) override;
	bool editing() const override { return _editing; }
	bool feed(std::optional<std::string>& line) override;
	void end() override;
	void addHistory(const std::string& line) override;
	void limitHistory(std::size_t entries) override;

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
