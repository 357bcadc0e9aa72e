#include "cli/ImportCommand.h"

#include "cli/UsageError.h"
#include "lua/ScriptError.h"
#include "replay/CanonicalWriter.h"
#include "replay/TranscriptJson.h"
#include "report/JsonLines.h"

#include <Poco/JSON/Array.h>

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
	bool json = false;
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
		else if (arg == "--json") parsed.json = true;
		else if (arg.size() > 1 && arg[0] == '-') throw UsageError("unknown option " + arg);
		else if (parsed.file.empty()) parsed.file = arg;
		else throw UsageError("import takes one file");
	}
	if (parsed.file.empty() && !parsed.help) throw UsageError("import needs a transcript file");
	return parsed;
}

Poco::JSON::Array::Ptr diagnosticsJson(const std::vector<replay::Diagnostic>& diagnostics)
{
	Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
	for (const auto& diagnostic : diagnostics)
	{
		Poco::JSON::Object::Ptr object = report::JsonLines::newObject();
		object->set("line", diagnostic.line);
		object->set("message", diagnostic.message);
		array->add(object);
	}
	return array;
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
		"  --output FILE, -o FILE write it there instead of to stdout\n"
		"  --json                 a JSON line on stdout: the format, the notes and errors (with their\n"
		"                         lines) and the transcript's metadata and steps\n") + importOptionsUsage();
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

int importAndUse(const std::string& command, const std::string& file, const replay::ImportOptions& options, bool json,
	const ImportUse& use)
{
	Poco::JSON::Object::Ptr object = report::JsonLines::newObject();
	object->set("command", command);
	object->set("file", file);
	object->set("exit_code", lua::exit_code::kOk);
	object->set("format", Poco::Dynamic::Var());
	object->set("notes", diagnosticsJson({}));
	object->set("errors", diagnosticsJson({}));
	int exitCode = lua::exit_code::kOk;
	try
	{
		replay::ImportResult result = importReporting(file, options, std::cerr);
		object->set("format", std::string(replay::formatName(result.format)));
		object->set("notes", diagnosticsJson(result.notes));
		use(result, *object);
	}
	catch (const replay::ImportError& e)
	{
		std::cerr << e.describe(file) << "\n";
		exitCode = lua::exit_code::kImport;
		object->set("exit_code", exitCode);
		object->set("errors", diagnosticsJson(e.problems()));
	}
	if (json) report::JsonLines(std::cout).write(object);
	return exitCode;
}

int importCommand(const std::vector<std::string>& args)
{
	ImportArguments parsed = parseImportArguments(args);
	if (parsed.help)
	{
		std::cout << importUsage();
		return lua::exit_code::kOk;
	}
	return importAndUse("import", parsed.file, parsed.import, parsed.json,
		[&parsed](const replay::ImportResult& result, Poco::JSON::Object& json) {
			// With --json the transcript is in the JSON line; only a file named with -o gets its text.
			if (!parsed.json || !parsed.output.empty()) writeOutput(parsed.output, replay::writeCanonical(result.transcript));
			json.set("output", report::JsonLines::orNull(parsed.output));
			json.set("transcript", replay::transcriptJson(result.transcript));
		});
}

} // namespace smtpx::cli
