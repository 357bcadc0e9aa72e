#include "report/JsonLines.h"

#include <Poco/JSON/Stringifier.h>

#include <sstream>

namespace smtpx::report {

void JsonLines::write(const Poco::JSON::Object::Ptr& object)
{
	// \uXXXX escapes keep every line ASCII: bytes that are no UTF-8 come out as the Latin-1
	// characters they would be, instead of making the whole line unreadable to a strict parser.
	std::ostringstream line;
	Poco::JSON::Stringifier::stringify(object, line, 0, -1, Poco::JSON_WRAP_STRINGS | Poco::JSON_ESCAPE_UNICODE);
	line << '\n';
	std::lock_guard lock(_mutex);
	_out << line.str() << std::flush;
}

Poco::JSON::Object::Ptr JsonLines::newObject()
{
	return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

Poco::Dynamic::Var JsonLines::orNull(const std::string& text)
{
	return text.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(text);
}

} // namespace smtpx::report
