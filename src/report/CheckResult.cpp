#include "report/CheckResult.h"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <stdexcept>

namespace smtpx::report {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::runtime_error badField(const std::string& field, const std::string& what)
{
	return std::runtime_error("check result: '" + field + "' " + what);
}

Object::Ptr asObject(const Poco::Dynamic::Var& value, const std::string& field)
{
	if (value.type() == typeid(Object::Ptr)) return value.extract<Object::Ptr>();
	throw badField(field, "must be a table");
}

// Lua cannot tell an empty list from an empty record: an empty table arrives as an Object.
Array::Ptr asArray(const Poco::Dynamic::Var& value, const std::string& field)
{
	if (value.type() == typeid(Array::Ptr)) return value.extract<Array::Ptr>();
	if (value.type() == typeid(Object::Ptr) && value.extract<Object::Ptr>()->size() == 0) return new Array;
	throw badField(field, "must be a list");
}

std::string optString(const Object& object, const std::string& field)
{
	if (!object.has(field) || object.isNull(field)) return {};
	Poco::Dynamic::Var value = object.get(field);
	if (!value.isString()) throw badField(field, "must be a string");
	return value.extract<std::string>();
}

std::optional<double> optNumber(const Object& object, const std::string& field)
{
	if (!object.has(field) || object.isNull(field)) return std::nullopt;
	Poco::Dynamic::Var value = object.get(field);
	if (!value.isNumeric()) throw badField(field, "must be a number");
	return value.convert<double>();
}

std::vector<std::string> optStrings(const Object& object, const std::string& field)
{
	std::vector<std::string> strings;
	if (!object.has(field)) return strings;
	Array::Ptr items = asArray(object.get(field), field);  // kept: the loop must not outlive it
	for (const auto& item : *items)
	{
		if (!item.isString()) throw badField(field, "must hold strings only");
		strings.push_back(item.extract<std::string>());
	}
	return strings;
}

std::optional<CheckResult::Reply> optReply(const Object& object, const std::string& field)
{
	if (!object.has(field)) return std::nullopt;
	Object::Ptr table = asObject(object.get(field), field);
	CheckResult::Reply reply;
	reply.code = static_cast<int>(optNumber(*table, "code").value_or(0));
	reply.enhanced = optString(*table, "enhanced");
	reply.lines = optStrings(*table, "lines");
	return reply;
}

std::vector<CheckResult::Phase> readPhases(const Object& object)
{
	std::vector<CheckResult::Phase> phases;
	for (const auto& name : optStrings(object, "planned")) phases.push_back({name, std::nullopt, std::nullopt});
	if (!object.has("phases")) return phases;
	Array::Ptr items = asArray(object.get("phases"), "phases");
	for (const auto& item : *items)
	{
		Object::Ptr table = asObject(item, "phases[]");
		CheckResult::Phase phase{optString(*table, "name"), optNumber(*table, "seconds"), optReply(*table, "reply")};
		if (phase.name.empty()) throw badField("phases[].name", "is missing");
		// A phase the plan named takes its place; one the plan did not (a custom dialogue's)
		// comes after those before it.
		auto planned = std::find_if(phases.begin(), phases.end(), [&](const auto& p) { return p.name == phase.name; });
		if (planned != phases.end()) *planned = std::move(phase);
		else phases.push_back(std::move(phase));
	}
	return phases;
}

} // namespace

CheckResult CheckResult::fromScript(const std::string& target, const Poco::Dynamic::Var& value)
{
	Object::Ptr object = asObject(value, "the returned value");
	CheckResult result;
	result.target = target;
	result.phases = readPhases(*object);
	result.totalSeconds = optNumber(*object, "total_seconds").value_or(0);
	result.failedStep = optString(*object, "failed_step");
	result.errorKind = optString(*object, "error_kind");
	result.reason = optString(*object, "reason");
	result.lastReply = optReply(*object, "last_reply");
	result.capabilities = optStrings(*object, "capabilities");
	if (object->has("tls")) result.tls = asObject(object->get("tls"), "tls");
	return result;
}

CheckResult CheckResult::unknown(const std::string& target, const std::string& reason)
{
	CheckResult result;
	result.target = target;
	result.errorKind = "script";
	result.reason = reason;
	result.state = CheckState::Unknown;
	result.problems.push_back(reason);
	return result;
}

std::optional<std::string> CheckResult::tlsString(const std::string& field) const
{
	if (!tls || !tls->has(field) || !tls->get(field).isString()) return std::nullopt;
	return tls->get(field).extract<std::string>();
}

std::optional<double> CheckResult::tlsNumber(const std::string& field) const
{
	if (!tls || !tls->has(field) || !tls->get(field).isNumeric()) return std::nullopt;
	return tls->get(field).convert<double>();
}

} // namespace smtpx::report
