#include "replay/CanonicalReader.h"

#include "replay/Syntax.h"

#include <utility>

namespace smtpx::replay {

namespace {

// "@server 127.0.0.1:25"
std::optional<std::string> readMetadata(std::string_view line, DialogueBuilder& builder)
{
	std::string_view rest = line.substr(1);
	std::size_t space = syntax::findBlank(rest);
	std::string key(rest.substr(0, space));
	if (key.empty()) return "metadata needs a key: \"@key value\"";
	builder.metadata(key, std::string(syntax::trimmed(space == std::string_view::npos ? std::string_view() : rest.substr(space))));
	return std::nullopt;
}

// RFC narration: "C: <starts TLS negotiation>", "C & S: <negotiate a TLS session>".
bool isNarration(std::string_view text, const DialogueBuilder& builder)
{
	return !builder.inMessageText() && !builder.expectsAuthPayload() && text.size() > 2 && text.front() == '<' &&
		text.back() == '>' && text.find(' ') != std::string_view::npos;
}

void readNarration(std::string_view text, std::size_t number, DialogueBuilder& builder)
{
	bool tls = text.find("TLS") != std::string_view::npos;
	if (tls && !builder.inTls())
		builder.startTls(number);
	else
		builder.remark(StepKind::Note, std::string(text), number);
}

std::optional<std::string> readRfcOnly(std::string_view line, std::size_t number, DialogueBuilder& builder)
{
	for (std::string_view both : {"C & S:", "S & C:"})
	{
		if (!line.starts_with(both)) continue;
		readNarration(syntax::trimmed(line.substr(both.size())), number, builder);
		return std::nullopt;
	}
	return "not a line of an RFC dialogue (\"C: \", \"S: \"): \"" + std::string(line) + "\"";
}

std::optional<std::string> readLine(std::string_view line, std::size_t number, DialogueBuilder& builder, CanonicalDialect dialect)
{
	if (line.starts_with('#'))
	{
		// The writer puts exactly "# " before a note: more spaces are the note's own (the import
		// of its output must give it back unchanged; fuzz_transcript_import).
		builder.remark(StepKind::Note, std::string(line.substr(line.starts_with("# ") ? 2 : 1)), number);
		return std::nullopt;
	}
	if (line.starts_with('@')) return readMetadata(line, builder);
	std::optional<double> atMs = syntax::takeStamp(line);
	if (dialect == CanonicalDialect::Rfc && (line.starts_with("C: ") || line.starts_with("S: ")) && isNarration(line.substr(3), builder))
		readNarration(line.substr(3), number, builder);
	else if (auto server = syntax::parseServerLine(line))
	{
		server->line = number;
		builder.server(std::move(*server), atMs);
	}
	else if (auto client = syntax::parseClientLine(line))
		builder.client(*client, number, atMs);
	else if (line == syntax::kStartTls)
		builder.startTls(number, atMs);
	else if (line == syntax::kClose)
		builder.serverCloses(number, atMs);
	else if (line.starts_with(syntax::kInfoTag))
		builder.remark(StepKind::Info, std::string(line.substr(syntax::kInfoTag.size())), number, atMs);
	else if (line.starts_with(syntax::kErrorTag))
		builder.remark(StepKind::Error, std::string(line.substr(syntax::kErrorTag.size())), number, atMs);
	else if (dialect == CanonicalDialect::Rfc)
		return readRfcOnly(line, number, builder);
	else
		return "not a transcript line (\"C: \", \"S: \", \"S= \", \"S~ \", \"S# \", \"=== \", \"*** \", \"! starttls\", "
			"\"! close\", \"# \" or \"@\"): \"" + std::string(line) + "\"";
	return std::nullopt;
}

} // namespace

void readCanonical(const std::vector<std::string>& lines, DialogueBuilder& builder, CanonicalDialect dialect)
{
	bool first = true;
	readEachLine(lines, [&](std::size_t number, const std::string& text) -> std::optional<std::string> {
		std::string_view line = dialect == CanonicalDialect::Rfc ? syntax::trimmedLeft(text) : std::string_view(text);
		if (syntax::trimmed(line).empty()) return std::nullopt;
		// Only the first line can be the header: later, the same words are a note ("#smtpx
		// transcript 1" is one, and its canonical form reads "# smtpx transcript 1").
		if (std::exchange(first, false) && line == syntax::kHeader) return std::nullopt;
		return readLine(line, number, builder, dialect);
	});
}

} // namespace smtpx::replay
