#include "cli/ImportCommand.h"

#include "cli/UsageError.h"
#include "lua/ScriptError.h"
#include "replay/CanonicalWriter.h"

#include <fstream>
#include <iostream>

namespace smtpx::cli {

namespace {

struct ImportArguments
{
	bool help = false;
	std::string file;
	std::string output;
	replay::ImportOptions import;
};

ImportArguments parseImportArguments(const std::vector<std::string>& args)
{
	ImportArguments parsed;
	ArgumentList list(args);
	while (!list.done())
	{
		std::string arg = list.take();
		if (takeImportOption(list, arg, parsed.import)) continue;
		if (arg == "--help" || arg == "-h") parsed.help = true;
		else if (arg == "--output" || arg == "-o") parsed.output = list.value(arg);
		else if (arg.size() > 1 && arg[0] == '-') throw UsageError("unknown option " + arg);
		else if (parsed.file.empty()) parsed.file = arg;
		else throw UsageError("import takes one file");
	}
	if (parsed.file.empty() && !parsed.help) throw UsageError("import needs a transcript file");
	return parsed;
}

} // namespace

const char* importOptionsUsage()
{
	return "  --from FORMAT          telnet, rfc, swaks, smtpx or canonical (default: detected)\n"
		"  --session LABEL        the session to take from an smtpx transcript of several\n"
		"  --strict               what the import would repair (a missing 354 or '.') is an error\n";
}

const char* importUsage()
{
	static const std::string usage = std::string("usage: smtpx import FILE [options]\n"
		"Prints the transcript in FILE (a telnet paste, an RFC C:/S: dialogue, a swaks or smtpx log)\n"
		"in smtpx's canonical form (docs/transcripts.md). Exit 31 when a line cannot be read.\n"
		"  --output FILE, -o FILE write it there instead of to stdout\n") + importOptionsUsage();
	return usage.c_str();
}

bool takeImportOption(ArgumentList& list, const std::string& arg, replay::ImportOptions& options)
{
	if (arg == "--from")
	{
		std::string name = list.value(arg);
		options.format = replay::parseFormat(name);
		if (!options.format) throw UsageError("--from takes telnet, rfc, swaks, smtpx or canonical, not '" + name + "'");
	}
	else if (arg == "--session")
		options.session = list.value(arg);
	else if (arg == "--strict")
		options.strict = true;
	else
		return false;
	return true;
}

replay::ImportResult importReporting(const std::string& path, const replay::ImportOptions& options, std::ostream& err)
{
	replay::ImportResult result = replay::importFile(path, options);
	for (const auto& note : result.notes)
		err << path << ":" << note.line << ": note: " << note.message << "\n";
	return result;
}

void writeOutput(const std::string& path, const std::string& text)
{
	if (path.empty() || path == "-")
	{
		std::cout << text;
		return;
	}
	std::ofstream out(path, std::ios::binary | std::ios::trunc);
	if (!(out << text)) throw std::runtime_error("cannot write " + path);
}

int importCommand(const std::vector<std::string>& args)
{
	ImportArguments parsed = parseImportArguments(args);
	if (parsed.help)
	{
		std::cout << importUsage();
		return lua::exit_code::kOk;
	}
	try
	{
		replay::ImportResult result = importReporting(parsed.file, parsed.import, std::cerr);
		writeOutput(parsed.output, replay::writeCanonical(result.transcript));
		return lua::exit_code::kOk;
	}
	catch (const replay::ImportError& e)
	{
		std::cerr << e.describe(parsed.file) << "\n";
		return lua::exit_code::kImport;
	}
}

} // namespace smtpx::cli
