// ScriptHeader: a script's leading comment block, which `smtpx list` and `smtpx help` show: a
// first line "--- name: one-line summary", then "-- " lines, among them a paragraph starting
// "Options" whose lines are "--   key   what it does", continued on lines indented further.
#pragma once

#include <istream>
#include <string>
#include <vector>

namespace smtpx::cli {

class ScriptHeader
{
public:
	struct Option
	{
		std::string name;          // "server", or "from, to" for options described together
		std::string description;   // its continuation lines joined with single spaces
	};

	// An unreadable file gives an empty header.
	static ScriptHeader read(const std::string& path);
	static ScriptHeader parse(std::istream& in);

	// The block without its "--" markers, as `smtpx help` prints it.
	const std::vector<std::string>& lines() const { return _lines; }
	// What follows "name: " on the first line; "(no description)" without a block.
	std::string summary() const;
	// The options paragraph, in order; nothing when the block has none.
	std::vector<Option> options() const;

private:
	std::vector<std::string> _lines;
};

} // namespace smtpx::cli
