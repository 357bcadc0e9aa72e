// ImportCommand: `smtpx import FILE` — reads a transcript in any format smtpx knows (a telnet
// paste, an RFC dialogue, a swaks or smtpx log, the canonical form) and prints it in canonical
// form. Also the import step every transcript command (convert, replay, serve-transcript) shares.
#pragma once

#include "cli/ArgumentList.h"
#include "replay/Importer.h"

#include <ostream>
#include <string>
#include <vector>

namespace smtpx::cli {

int importCommand(const std::vector<std::string>& args);
const char* importUsage();

// Takes --from, --session or --strict into `options` when `arg` is one of them.
bool takeImportOption(ArgumentList& list, const std::string& arg, replay::ImportOptions& options);

// The usage lines of those options.
const char* importOptionsUsage();

// Imports `path`, writing its notes to `err` as "FILE:LINE: note: ...". Throws replay::ImportError.
replay::ImportResult importReporting(const std::string& path, const replay::ImportOptions& options, std::ostream& err);

// Writes `text` to `path`, or to stdout for "" or "-"; throws std::runtime_error when it cannot.
void writeOutput(const std::string& path, const std::string& text);

} // namespace smtpx::cli
