// JsonReport: check results as a JSON array with one object per server: its state and problems,
// every phase with its time and reply, the capabilities and the TLS facts.
#pragma once

#include "report/CheckResult.h"

#include <Poco/JSON/Object.h>

#include <ostream>
#include <vector>

namespace smtpx::report {

class JsonReport
{
public:
	static void write(std::ostream& out, const std::vector<CheckResult>& results);

	static Poco::JSON::Object::Ptr toJson(const CheckResult& result);
};

} // namespace smtpx::report
