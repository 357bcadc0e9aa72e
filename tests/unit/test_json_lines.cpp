// JSON Lines (--json): one compact object a line that any strict parser reads, whatever bytes the
// strings hold, from several threads at once; and a transcript as JSON (smtpx import --json).
#include "replay/Importer.h"
#include "replay/TranscriptJson.h"
#include "report/JsonLines.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <thread>
#include <vector>

using smtpx::report::JsonLines;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

std::vector<std::string> linesOf(const std::string& text)
{
	std::vector<std::string> lines;
	std::istringstream in(text);
	for (std::string line; std::getline(in, line);) lines.push_back(line);
	return lines;
}

Object::Ptr parsed(const std::string& line)
{
	return Poco::JSON::Parser().parse(line).extract<Object::Ptr>();
}

} // namespace

TEST_CASE("Each object is one line, keys in the order they were set", "[json]")
{
	std::ostringstream out;
	JsonLines lines(out);
	Object::Ptr first = JsonLines::newObject();
	first->set("command", std::string("run"));
	first->set("server", JsonLines::orNull("127.0.0.1:25"));
	first->set("error", JsonLines::orNull(""));
	first->set("exit_code", 0);
	Object::Ptr second = JsonLines::newObject();
	second->set("text", std::string("two\nlines"));
	lines.write(first);
	lines.write(second);
	CHECK(out.str() == "{\"command\":\"run\",\"server\":\"127.0.0.1:25\",\"error\":null,\"exit_code\":0}\n"
					   "{\"text\":\"two\\nlines\"}\n");
}

TEST_CASE("Text that is no UTF-8 is escaped, so the line stays valid JSON", "[json]")
{
	std::ostringstream out;
	Object::Ptr object = JsonLines::newObject();
	object->set("reply", std::string("250 caf\xc3\xa9 \xff\x01"));
	JsonLines(out).write(object);
	std::string line = out.str();
	CHECK(line == "{\"reply\":\"250 caf\\u00E9 \\u00FF\\u0001\"}\n");
	CHECK(parsed(line)->getValue<std::string>("reply") == "250 caf\xc3\xa9 \xc3\xbf\x01");
}

TEST_CASE("Lines written from several threads never interleave", "[json]")
{
	std::ostringstream out;
	JsonLines lines(out);
	std::vector<std::thread> threads;
	for (int t = 0; t < 4; ++t)
		threads.emplace_back([&lines, t] {
			for (int i = 0; i < 200; ++i)
			{
				Object::Ptr object = JsonLines::newObject();
				object->set("thread", t);
				object->set("padding", std::string(100, 'x'));
				lines.write(object);
			}
		});
	for (auto& thread : threads) thread.join();
	auto written = linesOf(out.str());
	REQUIRE(written.size() == 800);
	for (const auto& line : written) CHECK(parsed(line)->getValue<std::string>("padding").size() == 100);
}

TEST_CASE("A transcript as JSON: metadata, and steps with their lines", "[json][transcript]")
{
	auto result = smtpx::replay::importText("220 mx ESMTP\nEHLO me\n250-mx\n250 SIZE 10\nAUTH PLAIN AGJvYgBzZWNyZXQ=\n235 ok\nQUIT\n221 bye\n", {});
	std::ostringstream out;
	JsonLines(out).write(smtpx::replay::transcriptJson(result.transcript));
	std::string line = out.str();
	CHECK(line.find("{{auth-plain:user:password}}") != std::string::npos);
	CHECK(line.find("AGJvYgBzZWNyZXQ=") == std::string::npos);

	Object::Ptr json = parsed(line);
	CHECK(json->getObject("metadata")->getValue<std::string>("source") == "telnet");
	Array::Ptr steps = json->getArray("steps");
	REQUIRE(steps->size() == 7);
	Object::Ptr greeting = steps->getObject(0);
	CHECK(greeting->getValue<std::string>("kind") == "reply");
	CHECK(greeting->getValue<std::string>("verb") == "");
	Object::Ptr ehlo = steps->getObject(1);
	CHECK(ehlo->getValue<std::string>("kind") == "client");
	CHECK(ehlo->getValue<std::string>("text") == "EHLO me");
	CHECK(ehlo->getValue<std::string>("verb") == "EHLO");
	CHECK(ehlo->getValue<int>("line") == 2);
	CHECK_FALSE(ehlo->getValue<bool>("message_text"));
	Array::Ptr replyLines = steps->getObject(2)->getArray("lines");
	REQUIRE(replyLines->size() == 2);
	CHECK(replyLines->getObject(1)->getValue<std::string>("text") == "250 SIZE 10");
	CHECK(replyLines->getObject(1)->getValue<std::string>("match") == "default");
	CHECK(replyLines->getObject(1)->getValue<int>("line") == 4);
}
