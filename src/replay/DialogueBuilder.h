// DialogueBuilder: turns the lines an importer recognised into a Transcript, checking the shape
// of the dialogue on the way: server lines grouped into whole replies, each reply paired with the
// command it answers, message text between a 354 and a lone ".", AUTH payloads after a 334.
// What it must repair (a missing greeting, 354 or ".") becomes a note naming the line; what it
// cannot place raises ImportError. Every importer feeds one, so all formats obey the same rules.
#pragma once

#include "replay/ImportError.h"
#include "replay/Transcript.h"
#include "smtp/ReplyParser.h"

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpx::replay {

class DialogueBuilder
{
public:
	struct Options
	{
		// For text people recorded (not canonical transcripts): AUTH payloads become secret
		// placeholders, queue ids, dates and client addresses in replies become placeholders, and
		// a literal "{{" is escaped.
		bool rewrite = true;
	};

	explicit DialogueBuilder(Options options);

	void client(std::string_view text, std::size_t line, std::optional<double> atMs = {});
	// A client line the recording tool hid ("****" in smtpx transcripts): an AUTH payload, the
	// AUTH command announced by announceHiddenAuth(), or else a secret of its own.
	void hiddenClient(std::size_t line, std::optional<double> atMs = {});
	// The recording tool said that AUTH with this mechanism follows, its command line hidden.
	void announceHiddenAuth(std::string mechanism) { _hiddenAuth = std::move(mechanism); }
	void server(ServerLine line, std::optional<double> atMs = {});
	// Info, Error or Note.
	void remark(StepKind kind, std::string text, std::size_t line, std::optional<double> atMs = {});
	void startTls(std::size_t line, std::optional<double> atMs = {});
	void serverCloses(std::size_t line, std::optional<double> atMs = {});
	void metadata(const std::string& key, std::string value) { _transcript.setMeta(key, std::move(value)); }
	// A repair or anything else a person should know, as a note at `line`.
	void note(std::size_t line, std::string text);

	bool inMessageText() const { return _message.active; }
	bool messageTextEmpty() const { return _message.active && _message.lines == 0; }
	bool expectsAuthPayload() const { return _auth.payloadNext; }
	bool awaitsReply() const { return !_awaiting.empty(); }
	// DATA went out and nothing answered it yet.
	bool awaitsDataReply() const { return !_awaiting.empty() && _awaiting.back().verb == "DATA"; }
	bool inTls() const { return _tls; }
	bool hasMetadata(std::string_view key) const { return !_transcript.meta(key).empty(); }

	// Throws ImportError for a reply or message text left open at the end.
	Transcript finish();
	// What was built so far, unchecked: for a recording cut short.
	Transcript takeUnfinished() { return std::move(_transcript); }
	const std::vector<Diagnostic>& notes() const { return _notes; }

	// A line that starts with an SMTP verb (any case): "mail from:<x>", "QUIT".
	static bool isCommand(std::string_view line);
	// The leading word, upper-case: "MAIL" for "mail from:<x>".
	static std::string verbOf(std::string_view line);

private:
	struct Awaiting
	{
		std::string verb;
		std::size_t line;
	};
	struct Message
	{
		bool active = false;
		std::size_t start = 0;  // line of the 354 (or of the first text line when it was missing)
		std::size_t lines = 0;
	};
	struct Auth
	{
		bool payloadNext = false;
		std::string mechanism;
		std::size_t payloads = 0;
		std::string prompt;  // the decoded text of the last 334
	};

	Step& addStep(StepKind kind, std::size_t line, std::optional<double> atMs);
	void addClientStep(std::string text, std::string verb, bool messageText, std::size_t line, std::optional<double> atMs);
	void addMessageLine(std::string_view text, std::size_t line, std::optional<double> atMs);
	void addPayload(std::optional<std::string_view> text, std::size_t line, std::optional<double> atMs);
	void addCommand(std::string_view text, std::size_t line, std::optional<double> atMs);
	void addCommandStep(std::string text, std::string verb, std::size_t line, std::optional<double> atMs);
	void startAuth(std::string_view text, std::string& stored);
	std::string payloadPlaceholder(std::optional<std::string_view> payload);
	void finishReply(const smtp::Reply& reply);
	void repairGreeting(std::size_t line);
	void repairMissing354(std::size_t line);
	void repairMissingDot(std::size_t line);
	void checkNoOpenReply(std::size_t line) const;
	void addEvent(StepKind kind, std::size_t line, std::optional<double> atMs);
	std::string rewrittenServerText(const std::string& text) const;

	Options _options;
	Transcript _transcript;
	std::vector<Diagnostic> _notes;
	smtp::ReplyParser _parser;
	std::vector<ServerLine> _pending;
	std::optional<double> _pendingAt;
	std::deque<Awaiting> _awaiting{{"", 0}};  // the greeting first
	bool _greeted = false;
	bool _tls = false;
	Message _message;
	Auth _auth;
	std::string _hiddenAuth;
};

} // namespace smtpx::replay
