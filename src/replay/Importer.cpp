#include "replay/Importer.h"

#include "replay/CanonicalReader.h"
#include "replay/DialogueBuilder.h"
#include "replay/LogReader.h"
#include "replay/ReplyMatcher.h"
#include "replay/Syntax.h"
#include "replay/Template.h"
#include "replay/TelnetReader.h"

#include <Poco/Exception.h>
#include <Poco/RegularExpression.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace smtpx::replay {

namespace {

constexpr std::pair<Format, std::string_view> kFormatNames[] = {
	{Format::Canonical, "canonical"},
	{Format::Rfc, "rfc"},
	{Format::Swaks, "swaks"},
	{Format::Smtpx, "smtpx"},
	{Format::Telnet, "telnet"},
};

constexpr std::string_view kSwaksDialoguePrefixes[] = {" -> ", " ~> ", "<-  ", "<~  ", "<** ", "<~* "};

// The format a line belongs to when only one format has lines like it.
std::optional<Format> formatOfLine(std::string_view line)
{
	if (line.starts_with(syntax::kHeader)) return Format::Canonical;
	std::string_view rest = syntax::trimmedLeft(line);
	bool stamped = syntax::takeStamp(rest).has_value();
	if (rest.starts_with('@') || rest == syntax::kStartTls) return Format::Canonical;
	if (auto server = syntax::parseServerLine(rest))
		return stamped || server->rule != MatchRule::Default ? Format::Canonical : Format::Rfc;
	if (syntax::parseClientLine(rest)) return stamped ? Format::Canonical : Format::Rfc;
	if (stamped) return Format::Smtpx;
	for (auto prefix : kSwaksDialoguePrefixes)
		if (line.starts_with(prefix)) return Format::Swaks;
	return std::nullopt;
}

void read(Format format, const std::vector<std::string>& lines, DialogueBuilder& builder, const ImportOptions& options)
{
	switch (format)
	{
	case Format::Canonical: readCanonical(lines, builder, CanonicalDialect::Canonical); break;
	case Format::Rfc:       readCanonical(lines, builder, CanonicalDialect::Rfc); break;
	case Format::Swaks:     readLog(lines, builder, LogStyle::Swaks, options.session); break;
	case Format::Smtpx:     readLog(lines, builder, LogStyle::Smtpx, options.session); break;
	case Format::Telnet:    readTelnet(lines, builder); break;
	}
}

std::optional<std::string> problemOfServerLine(const ServerLine& line, Captures& known)
{
	std::string text = line.text.size() > 4 ? line.text.substr(4) : std::string();
	try
	{
		if (line.rule == MatchRule::Regex)
			Poco::RegularExpression check(text);
		else
			TextPattern check(text, known);
	}
	catch (const Poco::RegularExpressionException& e)
	{
		return "bad regex /" + text + "/: " + e.message();
	}
	catch (const std::invalid_argument& e)
	{
		return std::string(e.what());
	}
	std::set<std::string> names;
	if (line.rule != MatchRule::Regex) TextPattern::addCaptureNames(text, names);
	for (const auto& name : names) known.emplace(name, "");
	return std::nullopt;
}

// Every placeholder must make sense before anything is replayed: a bad regex or a capture used
// before any line makes it is an import error, not a divergence at run time.
void checkTemplates(const Transcript& transcript)
{
	std::vector<Diagnostic> problems;
	Captures known;  // names only: the values come at run time
	for (const auto& step : transcript.steps)
	{
		if (step.kind == StepKind::Reply)
		{
			for (const auto& line : step.reply)
				if (auto problem = problemOfServerLine(line, known)) problems.push_back({line.line, *problem});
		}
		else if (step.kind == StepKind::Client)
		{
			std::set<std::string> names;
			for (const auto& [name, value] : known) names.insert(name);
			try
			{
				checkClientTemplate(step.text, names);
			}
			catch (const std::invalid_argument& e)
			{
				problems.push_back({step.line, e.what()});
			}
		}
	}
	if (!problems.empty()) throw ImportError(std::move(problems));
}

void checkMetadata(const Transcript& transcript)
{
	try
	{
		if (!transcript.meta("match").empty()) parseDefaultRule(transcript.meta("match"));
	}
	catch (const std::invalid_argument& e)
	{
		throw ImportError(0, std::string("@match: ") + e.what());
	}
	std::string extras = transcript.meta("ehlo-extras");
	if (!extras.empty() && extras != "ignore" && extras != "report")
		throw ImportError(0, "@ehlo-extras must be 'ignore' or 'report', not '" + extras + "'");
}

} // namespace

std::vector<std::string> splitLines(std::string_view text)
{
	std::vector<std::string> lines;
	std::size_t start = 0;
	while (start < text.size())
	{
		std::size_t end = text.find('\n', start);
		std::string_view line = text.substr(start, end - start);
		line = line.substr(0, line.find_last_not_of('\r') + 1);
		lines.emplace_back(line);
		if (end == std::string_view::npos) break;
		start = end + 1;
	}
	return lines;
}

Format detectFormat(const std::vector<std::string>& lines)
{
	std::optional<Format> first;
	bool remarks = false;
	for (const auto& line : lines)
	{
		std::optional<Format> format = formatOfLine(line);
		if (format == Format::Canonical) return Format::Canonical;
		if (!first) first = format;
		remarks = remarks || line.starts_with(syntax::kInfoTag) || line.starts_with(syntax::kErrorTag);
	}
	return first.value_or(remarks ? Format::Swaks : Format::Telnet);
}

ImportResult importText(std::string_view text, const ImportOptions& options)
{
	std::vector<std::string> lines = splitLines(text);
	Format format = options.format.value_or(detectFormat(lines));
	DialogueBuilder builder({format != Format::Canonical});
	read(format, lines, builder, options);
	ImportResult result{builder.finish(), format, builder.notes()};
	if (format != Format::Canonical && result.transcript.meta("source").empty())
	{
		// First, and once: an "@source" left empty in the file is filled in, not written twice.
		auto& metadata = result.transcript.metadata;
		std::erase_if(metadata, [](const auto& item) { return item.first == "source"; });
		metadata.insert(metadata.begin(), {"source", std::string(formatName(format))});
	}
	checkMetadata(result.transcript);
	checkTemplates(result.transcript);
	if (options.strict && !result.notes.empty())
	{
		std::vector<Diagnostic> problems = result.notes;
		for (auto& problem : problems) problem.message += " (an error with --strict)";
		throw ImportError(std::move(problems));
	}
	return result;
}

ImportResult importFile(const std::string& path, const ImportOptions& options)
{
	std::ifstream in(path, std::ios::binary);
	// A directory opens as a stream that reads nothing: it must not import as an empty dialogue.
	if (!in || std::filesystem::is_directory(path)) throw ImportError(0, "cannot read " + path);
	std::ostringstream text;
	text << in.rdbuf();
	return importText(text.str(), options);
}

std::string_view formatName(Format format)
{
	for (const auto& [value, name] : kFormatNames)
		if (value == format) return name;
	return "canonical";
}

std::optional<Format> parseFormat(std::string_view name)
{
	for (const auto& [value, known] : kFormatNames)
		if (known == name) return value;
	return std::nullopt;
}

} // namespace smtpx::replay
