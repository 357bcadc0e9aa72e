#include "replay/LogReader.h"

#include "replay/Syntax.h"

#include <Poco/RegularExpression.h>

#include <array>
#include <cstdio>
#include <set>

namespace smtpx::replay {

namespace {

enum class Side { Client, Server, Info, Error };

struct Prefix
{
	std::string_view text;
	Side side;
	bool tls;
};

constexpr std::array<Prefix, 8> kPrefixes{{
	{" -> ", Side::Client, false},
	{" ~> ", Side::Client, true},
	{"<-  ", Side::Server, false},
	{"<~  ", Side::Server, true},
	{"<** ", Side::Server, false},
	{"<~* ", Side::Server, true},
	{"=== ", Side::Info, false},
	{"*** ", Side::Error, false},
}};

constexpr std::string_view kHidden = "****";  // report::Transcript::kSecretMask

struct Entry
{
	std::size_t number;
	std::optional<double> atMs;
	std::string label;
	Side side;
	bool tls;
	std::string text;
};

// The prefix `rest` starts with, also when an editor took the trailing spaces of an empty line.
const Prefix* findPrefix(std::string_view rest)
{
	for (const auto& prefix : kPrefixes)
	{
		std::string_view bare = prefix.text.substr(0, prefix.text.find_last_not_of(' ') + 1);
		if (rest.starts_with(prefix.text) || rest == bare) return &prefix;
	}
	return nullptr;
}

int hexDigit(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	return -1;
}

// smtpx writes the control bytes of server text as \xNN (lower-case hex); nothing else makes
// that form, so only those are turned back.
std::string unescapeControls(std::string_view text)
{
	std::string out;
	for (std::size_t i = 0; i < text.size(); ++i)
	{
		int value = i + 3 < text.size() && text[i] == '\\' && text[i + 1] == 'x' && hexDigit(text[i + 2]) >= 0 &&
			hexDigit(text[i + 3]) >= 0 ? hexDigit(text[i + 2]) * 16 + hexDigit(text[i + 3]) : -1;
		if (value < 0 || (value >= 0x20 && value != 0x7f))
		{
			out += text[i];
			continue;
		}
		out += static_cast<char>(value);
		i += 3;
	}
	return out;
}

std::optional<Entry> parseEntry(std::size_t number, std::string_view rest, LogStyle style, std::string& problem)
{
	Entry entry{number, std::nullopt, {}, Side::Info, false, {}};
	if (style == LogStyle::Smtpx)
	{
		entry.atMs = syntax::takeStamp(rest);
		if (!entry.atMs)
		{
			problem = "no \"[   12.3ms] \" time stamp, as every line of an smtpx transcript has";
			return std::nullopt;
		}
		if (!findPrefix(rest))
		{
			std::size_t space = rest.find(' ');
			entry.label = std::string(rest.substr(0, space));
			rest.remove_prefix(std::min(rest.size(), space + 1));
		}
	}
	const Prefix* prefix = findPrefix(rest);
	if (!prefix)
	{
		problem = "no \" -> \", \"<-  \", \" ~> \", \"<~  \", \"=== \" or \"*** \" before \"" + std::string(rest) + "\"";
		return std::nullopt;
	}
	entry.side = prefix->side;
	entry.tls = prefix->tls;
	rest.remove_prefix(std::min(rest.size(), prefix->text.size()));
	entry.text = style == LogStyle::Smtpx ? unescapeControls(rest) : std::string(rest);
	return entry;
}

std::string chooseSession(const std::vector<Entry>& entries, const std::string& session)
{
	std::set<std::string> labels;
	for (const auto& entry : entries)
		if (!entry.label.empty()) labels.insert(entry.label);
	if (!session.empty())
	{
		if (!labels.count(session)) throw ImportError(0, "no session '" + session + "' in this transcript");
		return session;
	}
	if (labels.size() <= 1) return labels.empty() ? "" : *labels.begin();
	std::string names;
	for (const auto& label : labels) names += (names.empty() ? "" : ", ") + label;
	throw ImportError(0, "the transcript holds " + std::to_string(labels.size()) + " sessions (" + names +
		"): choose one with --session LABEL");
}

// What the recording tool's info lines tell: where it connected, and that AUTH follows hidden.
void readInfo(const Entry& entry, DialogueBuilder& builder)
{
	static const Poco::RegularExpression trying("^(?:Trying|Connected to) \\[?([^\\s\\]]+?)\\]?(?::(\\d+))?(?:\\.\\.\\.|\\.)$");
	static const Poco::RegularExpression hiddenAuth("^AUTH (\\S+) \\(credentials hidden");
	std::vector<std::string> groups;
	if (hiddenAuth.split(entry.text, groups) > 1) builder.announceHiddenAuth(groups[1]);
	if (!builder.hasMetadata("server") && trying.split(entry.text, groups) > 1)
		builder.metadata("server", groups.size() > 2 && !groups[2].empty() ? groups[1] + ":" + groups[2] : groups[1]);
	builder.remark(StepKind::Info, entry.text, entry.number, entry.atMs);
}

// One session's clock only goes forward: when it goes back, the lines of several sessions are
// interleaved without labels, and taking them as one dialogue would be a guess.
void checkClock(const Entry& entry, std::optional<double>& last)
{
	if (!entry.atMs) return;
	if (last && *entry.atMs + 0.05 < *last)
	{
		char text[128];
		std::snprintf(text, sizeof text, "the time stamps go back (from %.1f to %.1f ms): ", *last, *entry.atMs);
		throw ImportError(entry.number, std::string(text) + "the lines of several sessions are mixed without session labels");
	}
	last = entry.atMs;
}

void feed(const Entry& entry, DialogueBuilder& builder, LogStyle style)
{
	if ((entry.side == Side::Client || entry.side == Side::Server) && entry.tls && !builder.inTls())
		builder.startTls(entry.number, entry.atMs);
	switch (entry.side)
	{
	case Side::Client:
		if (style == LogStyle::Smtpx && entry.text == kHidden)
			builder.hiddenClient(entry.number, entry.atMs);
		else
			builder.client(entry.text, entry.number, entry.atMs);
		break;
	case Side::Server:
		builder.server({MatchRule::Default, entry.text, entry.number}, entry.atMs);
		break;
	case Side::Info:
		readInfo(entry, builder);
		break;
	case Side::Error:
		builder.remark(StepKind::Error, entry.text, entry.number, entry.atMs);
		break;
	}
}

} // namespace

void readLog(const std::vector<std::string>& lines, DialogueBuilder& builder, LogStyle style, const std::string& session)
{
	std::vector<Entry> entries;
	readEachLine(lines, [&](std::size_t number, const std::string& line) -> std::optional<std::string> {
		std::string problem;
		if (line.empty()) return std::nullopt;
		if (auto entry = parseEntry(number, line, style, problem)) entries.push_back(std::move(*entry));
		return problem.empty() ? std::nullopt : std::optional<std::string>(problem);
	});
	std::string chosen = chooseSession(entries, session);
	std::optional<double> last;
	for (const auto& entry : entries)
	{
		if (entry.label != chosen && !entry.label.empty()) continue;
		checkClock(entry, last);
		feed(entry, builder, style);
	}
}

} // namespace smtpx::replay
