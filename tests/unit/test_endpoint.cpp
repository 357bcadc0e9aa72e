#include "net/Endpoint.h"

#include <catch2/catch.hpp>

#include <stdexcept>

using smtpx::net::Endpoint;

TEST_CASE("host alone gets the default port", "[endpoint]")
{
	const Endpoint endpoint = Endpoint::parse("mail.example.org");
	CHECK(endpoint.host == "mail.example.org");
	CHECK(endpoint.port == 25);
	CHECK(Endpoint::parse("mail.example.org", 587).port == 587);
}

TEST_CASE("host:port", "[endpoint]")
{
	const Endpoint endpoint = Endpoint::parse("host:25");
	CHECK(endpoint.host == "host");
	CHECK(endpoint.port == 25);
	CHECK(Endpoint::parse("host:1").port == 1);
	CHECK(Endpoint::parse("host:65535").port == 65535);
	CHECK(Endpoint::parse("host:00587").port == 587);
}

TEST_CASE("IPv4 address with port", "[endpoint]")
{
	const Endpoint endpoint = Endpoint::parse("127.0.0.1:2525");
	CHECK(endpoint.host == "127.0.0.1");
	CHECK(endpoint.port == 2525);
	CHECK(endpoint.toString() == "127.0.0.1:2525");
}

TEST_CASE("IPv6 addresses", "[endpoint]")
{
	SECTION("bracketed with port")
	{
		const Endpoint endpoint = Endpoint::parse("[::1]:2525");
		CHECK(endpoint.host == "::1");
		CHECK(endpoint.port == 2525);
		CHECK(endpoint.toString() == "[::1]:2525");
	}
	SECTION("bracketed without port")
	{
		const Endpoint endpoint = Endpoint::parse("[::1]", 465);
		CHECK(endpoint.host == "::1");
		CHECK(endpoint.port == 465);
	}
	SECTION("bare")
	{
		const Endpoint endpoint = Endpoint::parse("::1");
		CHECK(endpoint.host == "::1");
		CHECK(endpoint.port == 25);
		CHECK(endpoint.toString() == "[::1]:25");
	}
	SECTION("bare, longer")
	{
		const Endpoint endpoint = Endpoint::parse("2001:db8::25");
		CHECK(endpoint.host == "2001:db8::25");
		CHECK(endpoint.port == 25);
	}
}

TEST_CASE("toString round-trips", "[endpoint]")
{
	for (const char* text : {"host:25", "127.0.0.1:2525", "[::1]:2525", "[2001:db8::1]:587"})
		CHECK(Endpoint::parse(text).toString() == text);
	CHECK(Endpoint{"name", 25}.toString() == "name:25");
}

TEST_CASE("bad forms are rejected naming the input", "[endpoint]")
{
	for (const char* bad : {"", ":25", "host:", "host:99999", "host:65536", "host:0", "host:abc", "host:-1", "host:+25",
			 "host:25x", "[::1", "::1]", "[::1]x", "[::1]:", "[::1]:abc", "[]", "[]:25", "a[b", "a b:25", "host :25",
			 "host:\t25", " host", "host\n", "host:25:25", "[host]:25", "[127.0.0.1]:25", "::1::2"})
	{
		INFO("input \"" << bad << "\"");
		CHECK_THROWS_AS(Endpoint::parse(bad), std::invalid_argument);
	}
	CHECK_THROWS_WITH(Endpoint::parse("host:99999"), Catch::Contains("\"host:99999\"") && Catch::Contains("port"));
	CHECK_THROWS_WITH(Endpoint::parse(":25"), Catch::Contains("empty host"));
	CHECK_THROWS_WITH(Endpoint::parse("a b:25"), Catch::Contains("spaces"));
	CHECK_THROWS_WITH(Endpoint::parse("[::1"), Catch::Contains("']'"));
}
