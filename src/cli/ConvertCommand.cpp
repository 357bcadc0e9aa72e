#include "cli/ConvertCommand.h"

#include "cli/ArgumentList.h"
#include "cli/ImportCommand.h"
#include "cli/UsageError.h"
#include "lua/ScriptError.h"
#include "replay/CanonicalWriter.h"
#include "replay/LuaWriter.h"

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
		"  --output FILE, -o FILE write it there instead of to stdout\n") + importOptionsUsage();
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
	try
	{
		replay::Transcript transcript = importReporting(parsed.file, parsed.import, std::cerr).transcript;
		std::string source = Poco::Path(parsed.file).getFileName();
		writeOutput(parsed.output, parsed.to == "lua" ? replay::writeLua(transcript, source) : replay::writeCanonical(transcript));
		return lua::exit_code::kOk;
	}
	catch (const replay::ImportError& e)
	{
		std::cerr << e.describe(parsed.file) << "\n";
		return lua::exit_code::kImport;
	}
}

} // namespace smtpx::cli
