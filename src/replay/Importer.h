// Importer: reads a transcript in any format smtpx knows, detecting which one it is: a telnet
// window paste, an RFC "C:"/"S:" dialogue, a swaks log, an smtpx transcript, or the canonical form.
#pragma once

#include "replay/ImportError.h"
#include "replay/Transcript.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpx::replay {

enum class Format { Canonical, Rfc, Swaks, Smtpx, Telnet };

struct ImportOptions
{
	std::optional<Format> format;  // nothing: detect it
	std::string session;           // the session to take from an smtpx transcript of several
	bool strict = false;           // repairs (a missing 354 or ".") are errors too
};

struct ImportResult
{
	Transcript transcript;
	Format format = Format::Canonical;
	std::vector<Diagnostic> notes;  // what the import repaired or wants a person to know
};

// Throws ImportError naming every line it cannot read without guessing.
ImportResult importText(std::string_view text, const ImportOptions& options);
// The same for a file; also throws ImportError when it cannot be read.
ImportResult importFile(const std::string& path, const ImportOptions& options);

// The first line that settles the format decides; a file without any is a telnet paste.
Format detectFormat(const std::vector<std::string>& lines);

std::string_view formatName(Format format);
// "telnet", "rfc", "swaks", "smtpx", "canonical"; nothing for another name.
std::optional<Format> parseFormat(std::string_view name);

// Lines without their line ends (LF, CRLF, and the CRs swaks shows of message text).
std::vector<std::string> splitLines(std::string_view text);

} // namespace smtpx::replay
