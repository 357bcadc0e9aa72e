// Importing transcripts: the real pastes and logs in tests/fixtures/transcripts, the formats'
// details, repairs that are reported, and errors that name their lines.
#include "replay/CanonicalWriter.h"
#include "replay/Importer.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace smtpx::replay;

namespace {

const std::string kFixtures = std::string(SMTPX_SOURCE_DIR) + "/tests/fixtures/transcripts/";

std::string fixture(const std::string& name)
{
	std::ifstream in(kFixtures + name, std::ios::binary);
	REQUIRE(in);
	std::ostringstream text;
	text << in.rdbuf();
	return text.str();
}

ImportResult importFixture(const std::string& name, ImportOptions options = {})
{
	return importText(fixture(name), options);
}

std::vector<const Step*> stepsOf(const Transcript& transcript, StepKind kind)
{
	std::vector<const Step*> found;
	for (const auto& step : transcript.steps)
		if (step.kind == kind) found.push_back(&step);
	return found;
}

// The client's commands (verbs), without message text and AUTH payloads.
std::vector<std::string> commandsOf(const Transcript& transcript)
{
	std::vector<std::string> verbs;
	for (const Step* step : stepsOf(transcript, StepKind::Client))
		if (!step->verb.empty()) verbs.push_back(step->verb);
	return verbs;
}

std::vector<std::string> replyCodesOf(const Transcript& transcript)
{
	std::vector<std::string> codes;
	for (const Step* step : stepsOf(transcript, StepKind::Reply)) codes.push_back(step->reply[0].text.substr(0, 3));
	return codes;
}

std::vector<std::size_t> problemLines(const ImportError& e)
{
	std::vector<std::size_t> lines;
	for (const auto& problem : e.problems()) lines.push_back(problem.line);
	return lines;
}

template <typename F>
ImportError importErrorOf(F&& importIt)
{
	try
	{
		importIt();
	}
	catch (const ImportError& e)
	{
		return e;
	}
	FAIL("the import succeeded");
	throw std::logic_error("unreachable");
}

using Verbs = std::vector<std::string>;

} // namespace

TEST_CASE("Every shared real transcript imports without an error", "[transcript][import]")
{
	for (const char* name : {"postfix-plain.telnet.txt", "postfix-plain.swaks.txt", "postfix-auth-login.telnet.txt",
			 "postfix-auth-login.swaks.txt", "postfix-multi-rcpt.telnet.txt", "postfix-multi-rcpt.swaks.txt",
			 "tutorial-en.telnet.txt", "tutorial-ru.telnet.txt"})
	{
		INFO(name);
		CHECK_NOTHROW(importFixture(name));
		CHECK_NOTHROW(importFixture(name, {std::nullopt, "", false}));
	}
}

TEST_CASE("The format of each transcript is detected", "[transcript][import]")
{
	CHECK(importFixture("postfix-plain.telnet.txt").format == Format::Telnet);
	CHECK(importFixture("postfix-plain.swaks.txt").format == Format::Swaks);
	CHECK(importFixture("tutorial-ru.telnet.txt").format == Format::Telnet);
	CHECK(importFixture("rfc5321-d1.txt").format == Format::Rfc);
	CHECK(importText("[    0.0ms] === Trying 127.0.0.1:25...\n", {}).format == Format::Smtpx);
	CHECK(importText("# smtpx transcript 1\nS: 220 x\n", {}).format == Format::Canonical);
	CHECK(importText("S= 220 x\n", {}).format == Format::Canonical);
}

TEST_CASE("A telnet paste and the swaks log of the same dialogue give the same steps", "[transcript][import]")
{
	for (const char* scenario : {"postfix-plain", "postfix-auth-login", "postfix-multi-rcpt"})
	{
		INFO(scenario);
		Transcript telnet = importFixture(std::string(scenario) + ".telnet.txt").transcript;
		Transcript swaks = importFixture(std::string(scenario) + ".swaks.txt").transcript;
		CHECK(commandsOf(telnet) == commandsOf(swaks));
		CHECK(replyCodesOf(telnet) == replyCodesOf(swaks));
		CHECK(telnet.meta("source") == "telnet");
		CHECK(swaks.meta("source") == "swaks");
	}
	Transcript plain = importFixture("postfix-plain.telnet.txt").transcript;
	CHECK(commandsOf(plain) == Verbs{"EHLO", "MAIL", "RCPT", "DATA", "QUIT"});
	CHECK(replyCodesOf(plain) == std::vector<std::string>{"220", "250", "250", "250", "354", "250", "221"});
	CHECK(plain.meta("server") == "127.0.0.1");
	CHECK(importFixture("postfix-plain.swaks.txt").transcript.meta("server") == "127.0.0.1:2525");
}

TEST_CASE("Multi-line replies are grouped and answer their command", "[transcript][import]")
{
	Transcript plain = importFixture("postfix-plain.telnet.txt").transcript;
	auto replies = stepsOf(plain, StepKind::Reply);
	REQUIRE(replies.size() == 7);
	CHECK(replies[0]->verb.empty());
	CHECK(replies[1]->verb == "EHLO");
	CHECK(replies[1]->reply.size() == 12);
	CHECK(replies[1]->reply.front().text == "250-postfix.testbed.local");
	CHECK(replies[1]->reply.back().text == "250 CHUNKING");
	CHECK(replies[1]->line == 6);
	CHECK(replies[1]->reply.back().line == 17);
	CHECK(replies[5]->verb == ".");
}

TEST_CASE("Message text is taken as typed, up to the lone dot", "[transcript][import]")
{
	Transcript swaks = importFixture("postfix-plain.swaks.txt").transcript;
	std::vector<std::string> message;
	for (const Step* step : stepsOf(swaks, StepKind::Client))
		if (step->messageText) message.push_back(step->text);
	REQUIRE(message.size() == 12);
	CHECK(message.front() == "Date: Mon, 01 Jan 2024 00:00:00 +0000");  // swaks shows a CR: gone
	CHECK(message[6].empty());
	CHECK(message.back() == ".");

	Transcript german = importFixture("windows-de.telnet.txt").transcript;
	auto lines = stepsOf(german, StepKind::Client);
	auto stuffed = std::find_if(lines.begin(), lines.end(), [](const Step* s) { return s->text.starts_with(".."); });
	REQUIRE(stuffed != lines.end());
	CHECK((*stuffed)->messageText);
	CHECK((*stuffed)->text == "..eine Zeile, die mit einem Punkt beginnt");
}

TEST_CASE("AUTH payloads become secret placeholders and never reach the canonical text", "[transcript][import]")
{
	for (const char* name : {"postfix-auth-login.telnet.txt", "postfix-auth-login.swaks.txt"})
	{
		INFO(name);
		Transcript transcript = importFixture(name).transcript;
		std::string canonical = writeCanonical(transcript);
		CHECK(canonical.find("dGVzdHVzZXI=") == std::string::npos);
		CHECK(canonical.find("dGVzdHBhc3M=") == std::string::npos);
		CHECK(canonical.find("C: {{secret:user:base64}}\nS: 334 UGFzc3dvcmQ6\nC: {{secret:password:base64}}\n") != std::string::npos);
	}
	Transcript plain = importText("220 x\nAUTH PLAIN AHRlc3R1c2VyAHRlc3RwYXNz\n235 ok\n", {}).transcript;
	CHECK(stepsOf(plain, StepKind::Client)[0]->text == "AUTH PLAIN {{auth-plain:user:password}}");
	Transcript cram = importText("220 x\nAUTH CRAM-MD5\n334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\n"
		"dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\n235 ok\n", {}).transcript;
	CHECK(stepsOf(cram, StepKind::Client)[1]->text == "{{cram-md5:user:password}}");
	CHECK(stepsOf(cram, StepKind::Reply)[1]->reply[0].text == "334 {{any}}");  // the challenge changes every time
}

TEST_CASE("Parts of replies that change between runs become placeholders", "[transcript][import]")
{
	Transcript plain = importFixture("postfix-plain.telnet.txt").transcript;
	CHECK(stepsOf(plain, StepKind::Reply)[5]->reply[0].text == "250 2.0.0 Ok: queued as {{queue_id}}");
	Transcript en = importFixture("tutorial-en.telnet.txt").transcript;
	CHECK(stepsOf(en, StepKind::Reply)[0]->reply[0].text == "220 domain.ext ESMTP MDaemon 6.7.6; {{date}}");
	Transcript ru = importFixture("tutorial-ru.telnet.txt").transcript;
	auto replies = stepsOf(ru, StepKind::Reply);
	CHECK(replies[5]->reply[0].text == "250 OK id = {{queue_id}}");
	Transcript address = importText("220 x\nHELO me\n250 x Hello me [192.0.2.7]\n250 y [IPv6:2001:db8::1]\n", {}).transcript;
	CHECK(stepsOf(address, StepKind::Reply)[1]->reply[0].text == "250 x Hello me [{{ip}}]");
	CHECK(stepsOf(address, StepKind::Reply)[2]->reply[0].text == "250 y [IPv6:{{ip}}]");
	Transcript braces = importText("220 x {{not a placeholder}}\n", {}).transcript;
	CHECK(stepsOf(braces, StepKind::Reply)[0]->reply[0].text == "220 x \\{{not a placeholder}}");
}

TEST_CASE("The English tutorial: the missing 354 is added and reported", "[transcript][import]")
{
	ImportResult result = importFixture("tutorial-en.telnet.txt");
	REQUIRE(result.notes.size() == 1);
	CHECK(result.notes[0].line == 12);
	CHECK(result.notes[0].message.find("354") != std::string::npos);
	CHECK(result.transcript.meta("server") == "mail.domain.ext:25");
	CHECK(commandsOf(result.transcript) == Verbs{"HELO", "MAIL", "RCPT", "DATA", "QUIT"});
	auto replies = stepsOf(result.transcript, StepKind::Reply);
	REQUIRE(replies.size() == 7);
	CHECK(replies[4]->reply[0].rule == MatchRule::Code);
	CHECK(replies[4]->reply[0].text == "354");
	CHECK(stepsOf(result.transcript, StepKind::Client)[1]->text == "MAIL FROM: mail@domain.ext");
}

TEST_CASE("The Russian tutorial: double spacing, typographic quotes and the missing dot", "[transcript][import]")
{
	ImportResult result = importFixture("tutorial-ru.telnet.txt");
	REQUIRE(result.notes.size() == 2);
	CHECK(result.notes[0].line == 17);
	CHECK(result.notes[1].line == 23);
	CHECK(result.transcript.meta("server") == "yourSMTPserver.com:25");
	CHECK(commandsOf(result.transcript) == Verbs{"HELO", "MAIL", "RCPT", "DATA", "QUIT"});
	std::vector<std::string> message;
	for (const Step* step : stepsOf(result.transcript, StepKind::Client))
		if (step->messageText) message.push_back(step->text);
	CHECK(message == std::vector<std::string>{"From: you@sender.com", "To: your_friend@destination.com",
		"Subject: testsubject", "testletter", "."});
	CHECK(stepsOf(result.transcript, StepKind::Info).size() == 5);
	CHECK(stepsOf(result.transcript, StepKind::Client).back()->text == "quit");
}

TEST_CASE("strict mode (--strict) turns repairs into errors", "[transcript][import]")
{
	ImportError e = importErrorOf([] { importFixture("tutorial-ru.telnet.txt", {std::nullopt, "", true}); });
	CHECK(problemLines(e) == std::vector<std::size_t>{17, 23});
}

TEST_CASE("Prose around a dialogue is reported line by line", "[transcript][import]")
{
	ImportError e = importErrorOf([] { importFixture("tutorial-en.prose.txt"); });
	std::vector<std::size_t> lines = problemLines(e);
	REQUIRE(lines.size() >= 10);
	CHECK(lines[0] == 1);
	CHECK(lines[1] == 2);
	CHECK(std::find(lines.begin(), lines.end(), 6) == lines.end());  // "telnet mail.domain.ext 25"
	CHECK(std::find(lines.begin(), lines.end(), 12) == lines.end());  // "HELO local.domain.name"
	CHECK(e.describe("t.txt").starts_with("t.txt:1: neither a server reply"));
}

TEST_CASE("Bad transcripts get an error naming the line", "[transcript][import]")
{
	ImportError noCode = importErrorOf([] { importFixture("bad/reply-without-code.txt"); });
	CHECK(problemLines(noCode) == std::vector<std::size_t>{3});
	CHECK(noCode.problems()[0].message.find("no 3-digit code") != std::string::npos);

	ImportError noEnd = importErrorOf([] { importFixture("bad/message-without-end.txt"); });
	CHECK(problemLines(noEnd) == std::vector<std::size_t>{9});
	CHECK(noEnd.problems()[0].message.find("no end") != std::string::npos);

	ImportError open = importErrorOf([] { importFixture("bad/open-reply.txt"); });
	CHECK(problemLines(open) == std::vector<std::size_t>{3});

	ImportError changed = importErrorOf([] { importText("S: 250-a\nS: 251 b\n", {}); });
	CHECK(problemLines(changed) == std::vector<std::size_t>{2});
}

TEST_CASE("A reply-like line inside message text ends it only when no dot follows", "[transcript][import]")
{
	Transcript kept = importText("220 x\nDATA\n354 go\n250 is just text here\n.\n250 ok\n", {}).transcript;
	CHECK(stepsOf(kept, StepKind::Client)[1]->text == "250 is just text here");
	CHECK(stepsOf(kept, StepKind::Reply).size() == 3);
	CHECK_THROWS_AS(importText("220 x\nDATA\n354 go\ntext\n221 bye\n", {}), ImportError);
}

TEST_CASE("RFC dialogues: indentation, narration, STARTTLS", "[transcript][import]")
{
	Transcript d1 = importFixture("rfc5321-d1.txt").transcript;
	CHECK(commandsOf(d1) == Verbs{"EHLO", "MAIL", "RCPT", "RCPT", "RCPT", "DATA", "QUIT"});
	CHECK(replyCodesOf(d1) == std::vector<std::string>{"220", "250", "250", "250", "550", "250", "354", "250", "221"});

	Transcript tls = importFixture("rfc3207-starttls.txt").transcript;
	auto starts = stepsOf(tls, StepKind::StartTls);
	REQUIRE(starts.size() == 1);
	CHECK(starts[0]->line == 11);
	CHECK(tls.meta("tls") == "starttls");
	CHECK(commandsOf(tls) == Verbs{"EHLO", "STARTTLS", "EHLO"});
}

TEST_CASE("smtpx transcripts: time stamps, labels, hidden AUTH lines, escapes", "[transcript][import]")
{
	std::string log =
		"[    0.0ms] a:25 === Trying 127.0.0.1:25...\n"
		"[    0.1ms] b:25 === Trying 127.0.0.2:25...\n"
		"[    1.0ms] a:25 <-  220 a ESMTP\n"
		"[    1.2ms] b:25 <-  220 b ESMTP\n"
		"[    2.0ms] a:25  -> EHLO me\n"
		"[    2.5ms] a:25 <-  250 a\n"
		"[    3.0ms] a:25 === AUTH PLAIN (credentials hidden in the transcript)\n"
		"[    3.1ms] a:25  -> ****\n"
		"[    4.0ms] a:25 <-  235 2.7.0 ok\\x07\n"
		"[    0.0ms] b:25 *** cannot connect\n";
	ImportError many = importErrorOf([&] { importText(log, {}); });
	CHECK(many.problems()[0].message.find("--session") != std::string::npos);

	ImportResult a = importText(log, {std::nullopt, "a:25", false});
	CHECK(a.format == Format::Smtpx);
	CHECK(a.transcript.meta("server") == "127.0.0.1:25");
	auto clients = stepsOf(a.transcript, StepKind::Client);
	REQUIRE(clients.size() == 2);
	CHECK(clients[1]->text == "AUTH PLAIN {{auth-plain:user:password}}");
	CHECK(clients[1]->verb == "AUTH");
	CHECK(clients[0]->atMs == Approx(2.0));
	auto replies = stepsOf(a.transcript, StepKind::Reply);
	CHECK(replies.back()->reply[0].text == "235 2.7.0 ok\x07");
	CHECK(stepsOf(a.transcript, StepKind::Error).empty());
}

TEST_CASE("smtpx transcripts of several sessions without labels are refused, not guessed", "[transcript][import]")
{
	std::string log =
		"[    0.0ms] === Trying 127.0.0.1:12525...\n"
		"[    0.0ms] === Trying 127.0.0.1:12526...\n"
		"[    1.0ms] <-  220 exim ESMTP\n"
		"[    3.1ms] <-  220 postfix ESMTP\n"
		"[    1.1ms]  -> EHLO localhost\n";
	ImportError e = importErrorOf([&] { importText(log, {}); });
	CHECK(problemLines(e) == std::vector<std::size_t>{5});
	CHECK(e.problems()[0].message.find("several sessions") != std::string::npos);
}

TEST_CASE("The canonical form reads back to the same transcript", "[transcript][import][canonical]")
{
	for (const char* name : {"postfix-auth-login.telnet.txt", "postfix-multi-rcpt.swaks.txt", "tutorial-ru.telnet.txt",
			 "tutorial-en.telnet.txt", "rfc3207-starttls.txt", "windows-de.telnet.txt"})
	{
		INFO(name);
		std::string canonical = writeCanonical(importFixture(name).transcript);
		ImportResult again = importText(canonical, {});
		CHECK(again.format == Format::Canonical);
		CHECK(again.notes.empty());
		CHECK(writeCanonical(again.transcript) == canonical);
	}
}

TEST_CASE("What the fuzzer found: the canonical text of an import imports back unchanged", "[transcript][import][canonical]")
{
	ImportOptions rfc, canonical;
	rfc.format = Format::Rfc;
	canonical.format = Format::Canonical;
	auto roundTrips = [&](const Transcript& transcript) {
		const std::string written = writeCanonical(transcript);
		return writeCanonical(importText(written, canonical).transcript) == written;
	};
	// An "@source" the file leaves empty is filled in once: it was written twice, and the
	// second, empty one won when the canonical text was read back.
	Transcript emptySource = importText("@source  \nS: 220 mx.example.com\n", rfc).transcript;
	CHECK(emptySource.metadata == std::vector<std::pair<std::string, std::string>>{{"source", "rfc"}});
	CHECK(roundTrips(emptySource));
	// A note with the header's words is written as "# smtpx transcript 1" (one space, as every
	// note): read back, it was taken for a second header and lost.
	Transcript headerNote = importText("#smtpx transcript 1\nS: 220 x\n", canonical).transcript;
	REQUIRE(stepsOf(headerNote, StepKind::Note).size() == 1);
	CHECK(stepsOf(headerNote, StepKind::Note)[0]->text == "smtpx transcript 1");
	CHECK(roundTrips(headerNote));
	CHECK(stepsOf(importText("# smtpx transcript 1\nS: 220 x\n", canonical).transcript, StepKind::Note).empty());
	// A CR counts as a blank, as at a line's end: "@key\r " kept the CR in the key, the canonical
	// text put it at the line's end, and reading took it off.
	Transcript crKey = importText("@key\r \n@other value\r \nC & S: <narration>\r \nS: 220 x\n", rfc).transcript;
	CHECK(crKey.metadata == std::vector<std::pair<std::string, std::string>>{{"source", "rfc"}, {"key", ""}, {"other", "value"}});
	CHECK(stepsOf(crKey, StepKind::Note)[0]->text == "<narration>");
	CHECK(roundTrips(crKey));
}

TEST_CASE("Canonical transcripts: rules, metadata, time stamps and template checks", "[transcript][import][canonical]")
{
	std::string text =
		"# smtpx transcript 1\n"
		"@match text\n"
		"@server mx.example.com:2525\n"
		"\n"
		"[   10.5ms] S: 220 mx ESMTP {{date}}\n"
		"C: EHLO me\n"
		"S= 250-mx\n"
		"S~ 250-SIZE \\d+\n"
		"S# 250 whatever\n"
		"C: MAIL FROM:<{{secret:sender}}>\n"
		"S= 250 2.1.0 Ok, id {{id:[0-9]+}}\n"
		"C: NOOP {{id}}\n"
		"S: 250 ok\n";
	ImportResult result = importText(text, {});
	CHECK(result.transcript.meta("match") == "text");
	CHECK(result.transcript.meta("server") == "mx.example.com:2525");
	auto replies = stepsOf(result.transcript, StepKind::Reply);
	REQUIRE(replies.size() == 4);
	CHECK(replies[0]->atMs == Approx(10.5));
	CHECK(replies[1]->reply[0].rule == MatchRule::Text);
	CHECK(replies[1]->reply[1].rule == MatchRule::Regex);
	CHECK(replies[1]->reply[2].rule == MatchRule::Code);
	CHECK(stepsOf(result.transcript, StepKind::Client)[1]->text == "MAIL FROM:<{{secret:sender}}>");

	ImportError unknown = importErrorOf([] { importText("# smtpx transcript 1\nS: 220 x\nC: NOOP {{nothing}}\n", {}); });
	CHECK(problemLines(unknown) == std::vector<std::size_t>{3});
	ImportError badRegex = importErrorOf([] { importText("# smtpx transcript 1\nS~ 220 (unclosed\n", {}); });
	CHECK(problemLines(badRegex) == std::vector<std::size_t>{2});
	ImportError badMatch = importErrorOf([] { importText("# smtpx transcript 1\n@match words\nS: 220 x\n", {}); });
	CHECK(badMatch.problems()[0].message.find("@match") != std::string::npos);
	ImportError junk = importErrorOf([] { importText("# smtpx transcript 1\nS: 220 x\nhello\n", {}); });
	CHECK(problemLines(junk) == std::vector<std::size_t>{3});
}

TEST_CASE("Telnet noise in other languages and from other clients is recognised", "[transcript][import]")
{
	ImportResult german = importFixture("windows-de.telnet.txt");
	CHECK(german.transcript.meta("server") == "mail.example.de:25");
	CHECK(stepsOf(german.transcript, StepKind::Info).size() == 3);
	for (const char* noise : {
			 "Trying 192.0.2.1...", "Connected to mx.example.com.", "Escape character is '^]'.",
			 "Connection closed by foreign host.", "$ telnet mx.example.com 25", "user@box:~$ nc -C mx.example.com 25",
			 "PS C:\\Users\\me> telnet mx 25", "Verbindung zu Host verloren.", "Perte de la connexion \xC3\xA0 l'h\xC3\xB4te.",
			 "Se ha perdido la conexi\xC3\xB3n con el host.",
			 "\xD0\x9F\xD0\xBE\xD0\xB4\xD0\xBA\xD0\xBB\xD1\x8E\xD1\x87\xD0\xB5\xD0\xBD\xD0\xB8\xD0\xB5 \xD0\xBA "
			 "\xD1\x83\xD0\xB7\xD0\xBB\xD1\x83 \xD1\x83\xD1\x82\xD0\xB5\xD1\x80\xD1\x8F\xD0\xBD\xD0\xBE.",
			 "telnet> quit", "Connection closed."})
	{
		INFO(noise);
		ImportResult result = importText(std::string(noise) + "\n220 x\nQUIT\n221 bye\n", {});
		CHECK(stepsOf(result.transcript, StepKind::Info).size() == 1);
	}
}
