// UserConfig: the user's defaults for `smtpx run`, from ~/.config/smtpx/config or $SMTPX_CONFIG.
#pragma once

#include <istream>
#include <string>
#include <utility>
#include <vector>

namespace smtpx::cli {

// "key = value" lines; a line whose first non-blank character is '#' is a comment (a value may
// hold '#': passwords do). `server` is a default --server, `timeout` the default --timeout, any
// other key a default --set key=value.
class UserConfig
{
public:
	// $SMTPX_CONFIG (which must exist), else $XDG_CONFIG_HOME/smtpx/config, else
	// ~/.config/smtpx/config (either may be missing: no defaults). Throws UsageError for a file
	// that cannot be read or a line that cannot be taken, naming FILE:LINE.
	static UserConfig load();

	// `origin` names the source in error messages.
	static UserConfig parse(std::istream& in, const std::string& origin);

	// The default options as `smtpx run` arguments, to put before `commandLine`'s, which win:
	// a later --set or --timeout replaces an earlier one; the server is left out when the command
	// line names servers itself, since --server adds to the list.
	std::vector<std::string> argumentsBefore(const std::vector<std::string>& commandLine) const;

	const std::vector<std::pair<std::string, std::string>>& entries() const { return _entries; }

private:
	std::vector<std::pair<std::string, std::string>> _entries;  // in file order
};

} // namespace smtpx::cli
