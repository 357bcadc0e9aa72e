// Reply: one whole SMTP reply (all continuation lines), as RFC 5321 section 4.2 defines it.
#pragma once

#include <string>
#include <vector>

namespace smtpx::smtp {

struct Reply
{
	int code = 0;                    // the 3-digit reply code, e.g. 250
	std::string enhanced;            // RFC 3463 enhanced status code ("2.1.0"), empty when absent
	std::vector<std::string> lines;  // the raw lines as received, without line ends ("250-PIPELINING")
	std::vector<std::string> texts;  // the text of each line after "250-"/"250 " and the enhanced code

	// The texts joined with "\n": what regexes in expect are searched in.
	std::string text() const;
	// The lines joined with "\n" (no line holds one: lines end at LF).
	std::string joinedLines() const;
	// The code class as a digit (2 for 250).
	int codeClass() const { return code / 100; }
};

} // namespace smtpx::smtp
