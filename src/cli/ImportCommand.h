// ImportCommand: `smtpx import FILE` — reads a transcript in any format smtpx knows (a telnet
// paste, an RFC dialogue, a swaks or smtpx log, the canonical form) and prints it in canonical
// form. Also the import step every transcript command (convert, replay, serve-transcript) shares.
#pragma once

#include "cli/ArgumentList.h"
#include "replay/Importer.h"

#include <Poco/JSON/Object.h>

#include <functional>
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

// What import and convert do with a transcript once read: write their output and, for --json,
// set what they wrote in the JSON object printed after.
using ImportUse = std::function<void(const replay::ImportResult& result, Poco::JSON::Object& json)>;

// Imports `file` (notes and errors go to stderr) and hands it to `use`. With `json`, then prints
// one JSON line {"command", "file", "exit_code", "format", "notes": [{"line", "message"}],
// "errors": [{"line", "message"}], ...what `use` set}. Returns 0, or 31 when the file does not import.
int importAndUse(const std::string& command, const std::string& file, const replay::ImportOptions& options, bool json,
	const ImportUse& use);

} // namespace smtpx::cli
