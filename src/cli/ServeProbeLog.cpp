#include "cli/ServeProbeLog.h"

#include <iostream>
#include <sstream>

namespace smtpx::cli {

ServeProbeLog::ServeProbeLog(Mode mode): _mode(mode), _json(std::cout)
{
}

void ServeProbeLog::probe(const std::string& target, const std::string& module, const report::CheckResult& result,
	double seconds)
{
	if (_mode == Mode::Json)
	{
		Poco::JSON::Object::Ptr object = report::JsonLines::newObject();
		object->set("command", std::string("serve"));
		object->set("target", target);
		object->set("module", module);
		object->set("state", std::string(report::stateName(result.state)));
		object->set("success", result.succeeded());
		object->set("seconds", seconds);
		object->set("reason", report::JsonLines::orNull(result.reason));
		_json.write(object);
		return;
	}
	if (_mode != Mode::Text) return;
	// One write per line: the handler threads log at once.
	std::ostringstream line;
	line << "probe " << target << " module=" << module << ": " << (result.succeeded() ? "success" : "failure") << " in "
		<< seconds << " s\n";
	std::cerr << line.str();
}

} // namespace smtpx::cli
