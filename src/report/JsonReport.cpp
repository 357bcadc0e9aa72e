#include "report/JsonReport.h"

#include "report/JsonLines.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

namespace smtpx::report {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Array::Ptr toArray(const std::vector<std::string>& strings)
{
	Array::Ptr array = new Array;
	for (const auto& s : strings) array->add(s);
	return array;
}

Object::Ptr replyJson(const CheckResult::Reply& reply)
{
	Object::Ptr object = JsonLines::newObject();
	object->set("code", reply.code);
	if (!reply.enhanced.empty()) object->set("enhanced", reply.enhanced);
	object->set("lines", toArray(reply.lines));
	return object;
}

Object::Ptr phaseJson(const CheckResult::Phase& phase)
{
	Object::Ptr object = JsonLines::newObject();
	object->set("name", phase.name);
	object->set("reached", phase.seconds.has_value());
	if (phase.seconds) object->set("seconds", *phase.seconds);
	if (phase.reply) object->set("reply", replyJson(*phase.reply));
	return object;
}

} // namespace

Object::Ptr JsonReport::toJson(const CheckResult& result)
{
	Object::Ptr object = JsonLines::newObject();
	object->set("target", result.target);
	object->set("state", stateName(result.state));
	object->set("exit_code", static_cast<int>(result.state));
	object->set("success", result.succeeded());
	object->set("problems", toArray(result.problems));
	object->set("total_seconds", result.totalSeconds);
	if (!result.failedStep.empty()) object->set("failed_step", result.failedStep);
	if (!result.errorKind.empty()) object->set("error_kind", result.errorKind);
	if (!result.reason.empty()) object->set("reason", result.reason);
	Array::Ptr phases = new Array;
	for (const auto& phase : result.phases) phases->add(phaseJson(phase));
	object->set("phases", phases);
	if (result.lastReply) object->set("last_reply", replyJson(*result.lastReply));
	object->set("capabilities", toArray(result.capabilities));
	if (result.tls) object->set("tls", result.tls);
	return object;
}

void JsonReport::write(std::ostream& out, const std::vector<CheckResult>& results)
{
	Array::Ptr array = new Array;
	for (const auto& result : results) array->add(toJson(result));
	Poco::JSON::Stringifier::stringify(array, out, 2);
	out << "\n";
}

} // namespace smtpx::report
