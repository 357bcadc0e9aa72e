#include "replay/CanonicalWriter.h"

#include "replay/Syntax.h"

namespace smtpx::replay {

namespace {

void writeLine(std::string& out, const std::optional<double>& atMs, std::string_view text)
{
	if (atMs) out += syntax::formatStamp(*atMs);
	out += text;
	out += '\n';
}

void writeStep(std::string& out, const Step& step)
{
	switch (step.kind)
	{
	case StepKind::Client:
		writeLine(out, step.atMs, syntax::tagged(syntax::kClientTag, step.text));
		break;
	case StepKind::Reply:
		for (std::size_t i = 0; i < step.reply.size(); ++i)
			writeLine(out, i == 0 ? step.atMs : std::nullopt, syntax::tagged(syntax::serverTag(step.reply[i].rule), step.reply[i].text));
		break;
	case StepKind::StartTls:
		writeLine(out, step.atMs, syntax::kStartTls);
		break;
	case StepKind::Close:
		writeLine(out, step.atMs, syntax::kClose);
		break;
	case StepKind::Info:
		writeLine(out, step.atMs, std::string(syntax::kInfoTag) + step.text);
		break;
	case StepKind::Error:
		writeLine(out, step.atMs, std::string(syntax::kErrorTag) + step.text);
		break;
	case StepKind::Note:
		writeLine(out, std::nullopt, "# " + step.text);
		break;
	}
}

} // namespace

std::string writeCanonical(const Transcript& transcript)
{
	std::string out(syntax::kHeader);
	out += '\n';
	for (const auto& [key, value] : transcript.metadata) out += "@" + key + (value.empty() ? "" : " " + value) + "\n";
	out += '\n';
	for (const auto& step : transcript.steps) writeStep(out, step);
	return out;
}

} // namespace smtpx::replay
