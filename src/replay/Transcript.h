// Transcript: one SMTP dialogue in smtpx's canonical form (docs/transcripts.md): the lines the
// client sent, the replies the server gave and how to compare them, with the remarks, notes and
// metadata around them. Importers make one from any supported format; replay plays its steps.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace smtpx::replay {

// How a recorded server line is compared with the line a replay receives.
enum class MatchRule
{
	Default,  // "S: "  as the transcript's @match says (the reply code when it says nothing)
	Code,     // "S# "  the reply code only
	Text,     // "S= "  the whole text, with {{placeholders}}
	Regex,    // "S~ "  the code, and a regex searched in the text after "250-" / "250 "
};

struct ServerLine
{
	MatchRule rule = MatchRule::Default;
	std::string text;      // as recorded, code first: "250-SIZE {{any}}"
	std::size_t line = 0;  // where it stands in the source file
};

enum class StepKind
{
	Client,    // a line the client sent: a command, an AUTH payload or a line of message text
	Reply,     // one whole server reply
	StartTls,  // the TLS handshake after STARTTLS
	Close,     // the server closes the connection
	Info,      // "=== " what the recording tool said; not replayed
	Error,     // "*** " an error the recording tool reported; not replayed
	Note,      // "# " a comment; not replayed
};

struct Step
{
	StepKind kind = StepKind::Note;
	std::size_t line = 0;            // first line in the source file; 0 for what an importer added
	std::optional<double> atMs;      // when it happened, in ms since the session began
	std::string text;                // Client, Info, Error, Note
	std::vector<ServerLine> reply;   // Reply
	// Client: the command verb, upper-case ("EHLO"), empty for payloads and message text.
	// Reply: the verb of the command it answers; "" for the greeting, "." for the message.
	std::string verb;
	bool messageText = false;        // Client: a line after 354, up to and including the lone "."
};

struct Transcript
{
	std::vector<std::pair<std::string, std::string>> metadata;  // "@key value", in file order
	std::vector<Step> steps;

	// The value of a metadata key, "" when absent.
	std::string meta(std::string_view key) const;
	// Replaces the key's value, or appends it.
	void setMeta(const std::string& key, std::string value);
};

} // namespace smtpx::replay
