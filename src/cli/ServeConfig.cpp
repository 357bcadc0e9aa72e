#include "cli/ServeConfig.h"

#include "cli/UsageError.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <set>
#include <sstream>

namespace smtpx::cli {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// The target comes from each request, and the output is always Prometheus text.
const std::set<std::string> kRequestOwned{"server", "servers", "format", "json", "parallel", "verbose", "transcript"};

void addValue(std::vector<std::string>& args, const std::string& option, const Poco::Dynamic::Var& value)
{
	if (value.isBoolean())
	{
		if (!value.extract<bool>()) return;
		args.push_back(option);
		return;
	}
	if (value.isEmpty() || value.type() == typeid(Object::Ptr))
		throw UsageError(option + " must be a string, a number, true or a list of them");
	args.push_back(option);
	args.push_back(value.convert<std::string>());
}

// {"stop-after": "auth", "require": ["STARTTLS"]} -> --stop-after auth --require STARTTLS
std::vector<std::string> argumentsOf(const Object& module)
{
	std::vector<std::string> args;
	for (const auto& [key, value] : module)
	{
		if (kRequestOwned.count(key)) throw UsageError("'" + key + "' cannot be set in a module");
		std::string option = "--" + key;
		if (value.type() != typeid(Array::Ptr))
		{
			addValue(args, option, value);
			continue;
		}
		Array::Ptr items = value.extract<Array::Ptr>();
		for (const auto& item : *items) addValue(args, option, item);
	}
	return args;
}

Object::Ptr parseFile(const std::string& path)
{
	std::ifstream in(path);
	if (!in) throw UsageError("cannot read the configuration " + path);
	std::ostringstream text;
	text << in.rdbuf();
	try
	{
		Poco::Dynamic::Var root = Poco::JSON::Parser().parse(text.str());
		if (root.type() != typeid(Object::Ptr)) throw UsageError(path + ": the configuration must be a JSON object");
		return root.extract<Object::Ptr>();
	}
	catch (const Poco::Exception& e)
	{
		throw UsageError(path + ": not valid JSON: " + e.displayText());
	}
}

} // namespace

ServeConfig::ServeConfig()
{
	_modules.emplace("default", CheckOptions::parse({}));
}

ServeConfig ServeConfig::load(const std::string& path)
{
	Object::Ptr root = parseFile(path);
	ServeConfig config;
	Object::Ptr modules = root->getObject("modules");
	if (!modules) throw UsageError(path + ": no \"modules\" object");
	for (const auto& [name, value] : *modules)
	{
		try
		{
			if (value.type() != typeid(Object::Ptr)) throw UsageError("must be an object of options");
			config._modules[name] = CheckOptions::parse(argumentsOf(*value.extract<Object::Ptr>()));
		}
		catch (const UsageError& e)
		{
			throw UsageError(path + ": module '" + name + "': " + e.what());
		}
	}
	return config;
}

std::string ServeConfig::moduleNames() const
{
	std::string names;
	for (const auto& [name, options] : _modules) names += (names.empty() ? "" : ", ") + name;
	return names;
}

const CheckOptions* ServeConfig::module(const std::string& name) const
{
	auto found = _modules.find(name);
	return found == _modules.end() ? nullptr : &found->second;
}

} // namespace smtpx::cli
