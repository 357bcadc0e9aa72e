// StdoutToStderr: while it lives, whatever goes to stdout — a script's print and io.write,
// std::cout — goes to stderr instead, so that stdout holds nothing but the machine-readable
// report (--json, --tap -, --junit -) written after it ends.
#pragma once

namespace smtpx::cli {

class StdoutToStderr
{
public:
	// `active` false: leaves stdout alone (so a caller needs no second code path).
	explicit StdoutToStderr(bool active);
	~StdoutToStderr();

	StdoutToStderr(const StdoutToStderr&) = delete;
	StdoutToStderr& operator=(const StdoutToStderr&) = delete;

private:
	int _saved = -1;  // the real stdout, while descriptor 1 is stderr
};

} // namespace smtpx::cli
