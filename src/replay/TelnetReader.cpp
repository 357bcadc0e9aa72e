#include "replay/TelnetReader.h"

#include <Poco/RegularExpression.h>

#include <algorithm>
#include <deque>

namespace smtpx::replay {

namespace {

using Poco::RegularExpression;

// What a line of telnet's own output tells about the server.
enum class Hint { None, Host, HostAndPort };

struct NoisePattern
{
	NoisePattern(const std::string& source, Hint hint):
		regex("^(?:" + source + ")\\s*$", RegularExpression::RE_CASELESS), hint(hint)
	{
	}

	RegularExpression regex;
	Hint hint;
};

// A shell, Windows or PowerShell prompt before a command someone typed.
constexpr const char* kPrompt = "(?:\\S*[$#%>]\\s*|[A-Za-z]:\\\\[^>]*>\\s*|PS [A-Za-z]:\\\\[^>]*>\\s*)?";
constexpr const char* kEllipsis = "\\s*(?:\\.\\.\\.|\xE2\x80\xA6)";

// Telnet's messages as Linux, BSD, macOS and Windows clients print them, in the languages
// tutorials are written in. The host (and port) in group 1 (and 2) become the @server metadata.
const std::deque<NoisePattern>& noisePatterns()
{
	static const std::deque<NoisePattern> patterns = [] {
		const std::vector<std::pair<std::string, Hint>> sources = {
			// the command that opened the window
			{std::string(kPrompt) + "(?:telnet|nc|ncat|netcat)(?:\\s+-\\S+)*\\s+(\\S+?)(?:\\s+(\\d+))?", Hint::HostAndPort},
			{std::string(kPrompt) + "openssl\\s+s_client\\b.*?-connect\\s+(\\S+?)(?::(\\d+))?(?:\\s.*)?", Hint::HostAndPort},
			{"telnet>\\s*o(?:pen)?\\s+(\\S+?)(?:\\s+(\\d+))?", Hint::HostAndPort},
			{"(?:\\S*[$#%>]|[A-Za-z]:\\\\[^>]*>|PS [A-Za-z]:\\\\[^>]*>)", Hint::None},
			// English
			{std::string("Trying\\s+(\\S+?)") + kEllipsis + "?", Hint::Host},
			{"Connected to\\s+(\\S+?)\\.?", Hint::Host},
			{std::string("Connecting To\\s+(\\S+?)") + kEllipsis + ".*", Hint::Host},
			{"Escape character is.*", Hint::None},
			{"Connection closed by foreign host\\.?", Hint::None},
			{"Connection to host lost\\.?", Hint::None},
			{"Connection closed\\.?", Hint::None},
			{"Could not open connection to the host.*", Hint::None},
			{"telnet[:>].*", Hint::None},
			{"Microsoft Telnet>.*|Welcome to Microsoft Telnet Client.*", Hint::None},
			{"\\^\\]", Hint::None},
			// German
			{std::string("Versuche\\s+(\\S+?)") + kEllipsis + "?", Hint::Host},
			{"Verbunden mit\\s+(\\S+?)\\.?", Hint::Host},
			{std::string("Verbindungsaufbau zu\\s+(\\S+?)") + kEllipsis + ".*", Hint::Host},
			{"Escape-Zeichen ist.*", Hint::None},
			{"Verbindung zu(?:m)? Host verloren\\.?|Verbindung durch Fremdhost geschlossen\\.?", Hint::None},
			// French
			{std::string("Essai de\\s+(\\S+?)") + kEllipsis + "?", Hint::Host},
			{"Connect\xC3\xA9 \xC3\xA0\\s+(\\S+?)\\.?", Hint::Host},
			{std::string("Connexion \xC3\xA0\\s+(\\S+?)") + kEllipsis + ".*", Hint::Host},
			{"Le caract\xC3\xA8re d'\xC3\xA9" "chappement est.*|Caract\xC3\xA8re d'\xC3\xA9" "chappement.*", Hint::None},
			{"Perte de la connexion \xC3\xA0 l'h\xC3\xB4te\\.?|Connexion \xC3\xA0 l'h\xC3\xB4te perdue\\.?", Hint::None},
			{"Connexion ferm\xC3\xA9" "e par l'h\xC3\xB4te distant\\.?", Hint::None},
			// Spanish and Portuguese
			{std::string("Intentando\\s+(\\S+?)") + kEllipsis + "?", Hint::Host},
			{"Conectado a\\s+(\\S+?)\\.?", Hint::Host},
			{std::string("Conect(?:\xC3\xA1ndose|ando|ando-se) a\\s+(\\S+?)") + kEllipsis + ".*", Hint::Host},
			{"El car\xC3\xA1" "cter de escape es.*", Hint::None},
			{"Se (?:ha perdido|perdi\xC3\xB3) la conexi\xC3\xB3n con el host\\.?", Hint::None},
			{"Conexi\xC3\xB3n cerrada por el host remoto\\.?", Hint::None},
			{"(?:A )?[Cc]onex\xC3\xA3o (?:perdida com o host|com o host foi perdida)\\.?", Hint::None},
			// Italian
			{"Connesso a\\s+(\\S+?)\\.?", Hint::Host},
			{std::string("Connessione a\\s+(\\S+?)(?: in corso)?") + kEllipsis + ".*", Hint::Host},
			{"Connessione (?:all'host perduta|chiusa dall'host remoto)\\.?", Hint::None},
			// Russian
			{std::string("\xD0\x9F\xD0\xBE\xD0\xBF\xD1\x8B\xD1\x82\xD0\xBA\xD0\xB0\\s+(\\S+?)") + kEllipsis + "?", Hint::Host},
			{"\xD0\x9F\xD0\xBE\xD0\xB4\xD0\xBA\xD0\xBB\xD1\x8E\xD1\x87\xD0\xB5\xD0\xBD\xD0\xBE \xD0\xBA\\s+(\\S+?)\\.?",
				Hint::Host},
			{std::string("\xD0\x9F\xD0\xBE\xD0\xB4\xD0\xBA\xD0\xBB\xD1\x8E\xD1\x87\xD0\xB5\xD0\xBD\xD0\xB8\xD0\xB5 \xD0\xBA\\s+(\\S+?)") +
				kEllipsis + ".*", Hint::Host},
			{"\xD0\x9F\xD0\xBE\xD0\xB4\xD0\xBA\xD0\xBB\xD1\x8E\xD1\x87\xD0\xB5\xD0\xBD\xD0\xB8\xD0\xB5 \xD0\xBA "
				"\xD1\x83\xD0\xB7\xD0\xBB\xD1\x83 \xD1\x83\xD1\x82\xD0\xB5\xD1\x80\xD1\x8F\xD0\xBD\xD0\xBE\\.?", Hint::None},
			{"\xD0\xA1\xD0\xBE\xD0\xB5\xD0\xB4\xD0\xB8\xD0\xBD\xD0\xB5\xD0\xBD\xD0\xB8\xD0\xB5 "
				"(?:\xD0\xB7\xD0\xB0\xD0\xBA\xD1\x80\xD1\x8B\xD1\x82\xD0\xBE|\xD1\x81 \xD1\x83\xD0\xB7\xD0\xBB\xD0\xBE\xD0\xBC).*",
				Hint::None},
			{"Escape-\xD1\x81\xD0\xB8\xD0\xBC\xD0\xB2\xD0\xBE\xD0\xBB.*|"
				"\xD0\xA3\xD0\xBF\xD1\x80\xD0\xB0\xD0\xB2\xD0\xBB\xD1\x8F\xD1\x8E\xD1\x89\xD0\xB8\xD0\xB9 \xD1\x81\xD0\xB8\xD0\xBC\xD0\xB2\xD0\xBE\xD0\xBB.*",
				Hint::None},
		};
		std::deque<NoisePattern> list;
		for (const auto& [source, hint] : sources) list.emplace_back(source, hint);
		return list;
	}();
	return patterns;
}

bool looksLikeReply(const std::string& line)
{
	static const RegularExpression reply("^[2-5][0-9][0-9](?:[ -]|$)");
	RegularExpression::Match found;
	return reply.match(line, 0, found) > 0;
}

// Takes telnet's own output as an info line; its host and port become the @server metadata.
bool readNoise(const std::string& line, std::size_t number, DialogueBuilder& builder)
{
	for (const auto& pattern : noisePatterns())
	{
		std::vector<std::string> groups;
		if (pattern.regex.split(line, groups) == 0) continue;
		builder.remark(StepKind::Info, line, number);
		if (pattern.hint == Hint::None || groups.size() < 2 || builder.hasMetadata("server")) return true;
		bool withPort = pattern.hint == Hint::HostAndPort && groups.size() > 2 && !groups[2].empty();
		builder.metadata("server", withPort ? groups[1] + ":" + groups[2] : groups[1]);
		return true;
	}
	return false;
}

// The line after the last lone "." (1-based); a reply-like line in message text before it is text.
std::size_t lineAfterLastDot(const std::vector<std::string>& lines)
{
	auto last = std::find(lines.rbegin(), lines.rend(), ".");
	return last == lines.rend() ? 0 : static_cast<std::size_t>(lines.rend() - last) + 1;
}

// Reads a paste line by line; what it knows of the lines before decides what the next one is.
class TelnetPaste
{
public:
	TelnetPaste(const std::vector<std::string>& lines, DialogueBuilder& builder):
		_builder(builder), _afterLastDot(lineAfterLastDot(lines))
	{
	}

	std::optional<std::string> read(std::size_t number, const std::string& line)
	{
		if (_builder.inMessageText())
		{
			readMessageLine(number, line);
			return std::nullopt;
		}
		if (line.empty())
		{
			_doubleSpaced = _doubleSpaced || _afterCommand;
			return std::nullopt;
		}
		if (readNoise(line, number, _builder)) return std::nullopt;
		if (line.starts_with("# "))
		{
			_builder.remark(StepKind::Note, line.substr(2), number);
			return std::nullopt;
		}
		return readDialogueLine(number, line);
	}

private:
	void readMessageLine(std::size_t number, const std::string& line)
	{
		if (looksLikeReply(line) && number >= _afterLastDot)
			_builder.server({MatchRule::Default, line, number});  // the paste lacks the "."
		else if (line.empty() && _doubleSpaced && _builder.messageTextEmpty())
			_builder.note(number, "a blank line right after the 354 in a paste with blank lines between its steps: left out");
		else
			_builder.client(line, number);
	}

	std::optional<std::string> readDialogueLine(std::size_t number, const std::string& line)
	{
		_afterCommand = false;
		if (looksLikeReply(line))
		{
			_builder.server({MatchRule::Default, line, number});
			return std::nullopt;
		}
		bool payloadOrText = _builder.expectsAuthPayload() || _builder.awaitsDataReply();
		if (!payloadOrText && !DialogueBuilder::isCommand(line))
			return "neither a server reply, an SMTP command nor telnet's own output: \"" + line +
				"\" (delete the line, or start it with \"# \" to keep it as a comment)";
		_afterCommand = !payloadOrText;
		_builder.client(line, number);
		return std::nullopt;
	}

	DialogueBuilder& _builder;
	const std::size_t _afterLastDot;
	bool _doubleSpaced = false;  // blank lines between a command and its reply: the paste is spaced out
	bool _afterCommand = false;
};

} // namespace

void readTelnet(const std::vector<std::string>& lines, DialogueBuilder& builder)
{
	TelnetPaste paste(lines, builder);
	readEachLine(lines, [&](std::size_t number, const std::string& line) { return paste.read(number, line); });
}

} // namespace smtpx::replay
