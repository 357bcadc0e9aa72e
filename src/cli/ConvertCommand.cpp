#include "cli/ConvertCommand.h"

#include "cli/ArgumentList.h"
#include "cli/ImportCommand.h"
#include "cli/UsageError.h"
#include "lua/ScriptError.h"
#include "replay/CanonicalWriter.h"
#include "replay/LuaWriter.h"
#include "report/JsonLines.h"

#include <Poco/Path.h>

#include <iostream>

namespace smtpx::cli {

namespace {

struct ConvertArguments
{
	bool help = false;
	std::string file;
	std::string to;
	std::string output;
	replay::ImportOptions import;
	bool json = false;
};

ConvertArguments parseConvertArguments(const std::vector<std::string>& args)
{
	ConvertArguments parsed;
	ArgumentList list(args);
	while (!list.done())
	{
		std::string arg = list.take();
		if (takeImportOption(list, arg, parsed.import)) continue;
		if (arg == "--help" || arg == "-h") parsed.help = true;
		else if (arg == "--to") parsed.to = list.value(arg);
		else if (arg == "--output" || arg == "-o") parsed.output = list.value(arg);
		else if (arg == "--json") parsed.json = true;
		else if (arg.size() > 1 && arg[0] == '-') throw UsageError("unknown option " + arg);
		else if (parsed.file.empty()) parsed.file = arg;
		else throw UsageError("convert takes one file");
	}
	if (parsed.help) return parsed;
	if (parsed.file.empty()) throw UsageError("convert needs a transcript file");
	if (parsed.to != "lua" && parsed.to != "canonical") throw UsageError("convert needs --to lua or --to canonical");
	return parsed;
}

} // namespace

const char* convertUsage()
{
	static const std::string usage = std::string("usage: smtpx convert FILE --to lua|canonical [options]\n"
		"Writes the transcript in FILE as a Lua script that replays it with the stdlib primitives\n"
		"(smtpx run OUT --server HOST:PORT), or in canonical form. Exit 31 when FILE does not import.\n"
		"  --to lua|canonical     what to write\n"
		"  --output FILE, -o FILE write it there instead of to stdout\n"
		"  --json                 a JSON line on stdout: the format, the notes and errors (with their\n"
		"                         lines), the output file, or without -o the converted text\n") +
		importOptionsUsage();
	return usage.c_str();
}

int convertCommand(const std::vector<std::string>& args)
{
	ConvertArguments parsed = parseConvertArguments(args);
	if (parsed.help)
	{
		std::cout << convertUsage();
		return lua::exit_code::kOk;
	}
	return importAndUse("convert", parsed.file, parsed.import, parsed.json,
		[&parsed](const replay::ImportResult& result, Poco::JSON::Object& json) {
			std::string source = Poco::Path(parsed.file).getFileName();
			std::string text = parsed.to == "lua" ? replay::writeLua(result.transcript, source) : replay::writeCanonical(result.transcript);
			json.set("to", parsed.to);
			json.set("output", report::JsonLines::orNull(parsed.output));
			// With --json and no -o, stdout holds only the JSON line: the text goes into it.
			if (parsed.json && parsed.output.empty())
				json.set("text", text);
			else
				writeOutput(parsed.output, text);
		});
}

} // namespace smtpx::cli
