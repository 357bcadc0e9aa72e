#include "cli/ScriptCatalog.h"

#include "cli/ScriptHeader.h"
#include "cli/UsageError.h"
#include "report/JsonLines.h"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

namespace smtpx::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* kListUsage =
	"usage: smtpx list [--json]\n"
	"Lists the bundled scripts with their one-line descriptions.\n"
	"  --json                 a JSON line per script: name, path, summary\n";

constexpr const char* kHelpUsage =
	"usage: smtpx help SCRIPT [--json]\n"
	"Shows a script's description and options: the comment at its head.\n"
	"  --json                 one JSON line: name, path, summary, description (the whole comment)\n"
	"                         and options, each {name, description}\n";

struct CatalogArguments
{
	bool help = false;
	bool json = false;
	std::vector<std::string> names;
};

CatalogArguments parseArguments(const std::vector<std::string>& args)
{
	CatalogArguments parsed;
	for (const auto& arg : args)
	{
		if (arg == "--help" || arg == "-h") parsed.help = true;
		else if (arg == "--json") parsed.json = true;
		else if (arg.size() > 1 && arg[0] == '-') throw UsageError("unknown option " + arg);
		else parsed.names.push_back(arg);
	}
	return parsed;
}

std::vector<fs::path> bundledScripts(const DataPaths& paths)
{
	std::vector<fs::path> scripts;
	std::error_code ec;
	for (const auto& entry : fs::directory_iterator(paths.scriptsDir(), ec))
		if (entry.path().extension() == ".lua") scripts.push_back(entry.path());
	std::sort(scripts.begin(), scripts.end());
	return scripts;
}

// {"name", "path", "summary"}: what `list` gives, and `help` starts with.
Poco::JSON::Object::Ptr scriptJson(const std::string& name, const std::string& path, const ScriptHeader& header)
{
	Poco::JSON::Object::Ptr object = report::JsonLines::newObject();
	object->set("name", name);
	object->set("path", path);
	object->set("summary", header.summary());
	return object;
}

Poco::JSON::Object::Ptr descriptionJson(const std::string& name, const std::string& path, const ScriptHeader& header)
{
	Poco::JSON::Object::Ptr object = scriptJson(name, path, header);
	std::string description;
	for (const auto& line : header.lines()) description += line + "\n";
	object->set("description", description);
	Poco::JSON::Array::Ptr options = new Poco::JSON::Array;
	for (const auto& option : header.options())
	{
		Poco::JSON::Object::Ptr item = report::JsonLines::newObject();
		item->set("name", option.name);
		item->set("description", option.description);
		options->add(item);
	}
	object->set("options", options);
	return object;
}

} // namespace

int listCommand(const std::vector<std::string>& args, const DataPaths& paths)
{
	CatalogArguments parsed = parseArguments(args);
	if (parsed.help)
	{
		std::cout << kListUsage;
		return 0;
	}
	if (!parsed.names.empty()) throw UsageError("list takes no arguments");
	report::JsonLines lines(std::cout);
	for (const auto& script : bundledScripts(paths))
	{
		std::string name = script.stem().string();
		ScriptHeader header = ScriptHeader::read(script.string());
		if (parsed.json)
			lines.write(scriptJson(name, script.string(), header));
		else
			std::cout << name << std::string(name.size() < 18 ? 18 - name.size() : 1, ' ') << header.summary() << '\n';
	}
	return 0;
}

int helpCommand(const std::vector<std::string>& args, const DataPaths& paths)
{
	CatalogArguments parsed = parseArguments(args);
	if (parsed.help)
	{
		std::cout << kHelpUsage;
		return 0;
	}
	if (parsed.names.size() != 1) throw UsageError("help needs one script name");
	auto path = paths.findScript(parsed.names.front());
	if (!path) throw UsageError("no script '" + parsed.names.front() + "'");
	ScriptHeader header = ScriptHeader::read(*path);
	if (parsed.json)
	{
		report::JsonLines(std::cout).write(descriptionJson(fs::path(*path).stem().string(), *path, header));
		return 0;
	}
	for (const auto& line : header.lines()) std::cout << line << '\n';
	return 0;
}

} // namespace smtpx::cli
