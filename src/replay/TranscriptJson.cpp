#include "replay/TranscriptJson.h"

#include "report/JsonLines.h"

#include <Poco/JSON/Array.h>

#include <string_view>

namespace smtpx::replay {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::string_view kindName(StepKind kind)
{
	switch (kind)
	{
	case StepKind::Client: return "client";
	case StepKind::Reply: return "reply";
	case StepKind::StartTls: return "starttls";
	case StepKind::Close: return "close";
	case StepKind::Info: return "info";
	case StepKind::Error: return "error";
	case StepKind::Note: return "note";
	}
	return "note";
}

std::string_view ruleName(MatchRule rule)
{
	switch (rule)
	{
	case MatchRule::Default: return "default";
	case MatchRule::Code: return "code";
	case MatchRule::Text: return "text";
	case MatchRule::Regex: return "regex";
	}
	return "default";
}

// Line 0 stands for "no line in the source": null says so without a magic number.
Poco::Dynamic::Var lineNumber(std::size_t line)
{
	return line ? Poco::Dynamic::Var(line) : Poco::Dynamic::Var();
}

Array::Ptr replyLines(const std::vector<ServerLine>& reply)
{
	Array::Ptr lines = new Array;
	for (const auto& line : reply)
	{
		Object::Ptr object = report::JsonLines::newObject();
		object->set("match", std::string(ruleName(line.rule)));
		object->set("text", line.text);
		object->set("line", lineNumber(line.line));
		lines->add(object);
	}
	return lines;
}

Object::Ptr stepJson(const Step& step)
{
	Object::Ptr object = report::JsonLines::newObject();
	object->set("kind", std::string(kindName(step.kind)));
	object->set("line", lineNumber(step.line));
	if (step.atMs) object->set("at_ms", *step.atMs);
	if (step.kind == StepKind::Reply)
	{
		object->set("verb", step.verb);
		object->set("lines", replyLines(step.reply));
		return object;
	}
	if (step.kind == StepKind::StartTls || step.kind == StepKind::Close) return object;
	object->set("text", step.text);
	if (step.kind != StepKind::Client) return object;
	object->set("verb", step.verb);
	object->set("message_text", step.messageText);
	return object;
}

} // namespace

Object::Ptr transcriptJson(const Transcript& transcript)
{
	Object::Ptr metadata = report::JsonLines::newObject();
	for (const auto& [key, value] : transcript.metadata) metadata->set(key, value);
	Array::Ptr steps = new Array;
	for (const auto& step : transcript.steps) steps->add(stepJson(step));
	Object::Ptr object = report::JsonLines::newObject();
	object->set("metadata", metadata);
	object->set("steps", steps);
	return object;
}

} // namespace smtpx::replay
