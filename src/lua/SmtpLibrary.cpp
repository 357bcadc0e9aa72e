// The global `smtp` table: connect, sleep, reply matching and errors. The Lua half of the library
// (session:expect and friends) is stdlib/smtpx/core.lua.
#include "lua/Binding.h"
#include "lua/ConsoleLibrary.h"
#include "lua/Engine.h"
#include "lua/ReplayLibrary.h"
#include "lua/ReplyTable.h"
#include "lua/Session.h"
#include "net/Endpoint.h"
#include "net/HostResolver.h"
#include "net/Resolver.h"
#include "smtp/DataEncoder.h"
#include "smtp/ReplySpec.h"

#include <chrono>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <stdexcept>
#include <optional>
#include <unordered_map>

namespace smtpx::lua {

namespace {

std::chrono::steady_clock::duration toDuration(double seconds)
{
	return net::EventLoop::delay(seconds);
}

bool isCodePattern(std::string_view text)
{
	if (text.size() != 3) return false;
	for (char c : text)
		if (!std::isdigit(static_cast<unsigned char>(c)) && c != 'x' && c != 'X') return false;
	return true;
}

// An expect spec as read from Lua: a code (250), a class or pattern ("2xx"), a regex (any other
// string), or a table mixing codes and at most one regex ({250, 251}, {"2xx", "^ok"},
// {code=250, re="x"}). Reading compiles nothing: a spec with a regex is compiled once, by the
// cache in compiledSpec.
struct SpecSource
{
	std::vector<smtp::CodePattern> codes;
	std::optional<std::string> regex;

	smtp::ReplySpec compile() const
	{
		smtp::ReplySpec spec;
		for (const auto& code : codes) spec.addCode(code);
		if (regex) spec.setRegex(*regex);
		return spec;
	}

	// The compiled-spec cache's key: the codes (three characters each, never a ':'), then ':'
	// and the regex, so no two specs share one.
	std::string key() const
	{
		std::string key;
		for (const auto& code : codes) key += code.text();
		key += regex ? ":r" + *regex : ":";
		return key;
	}
};

// A code (250) or code pattern ("2xx") at `index`, read without allocating; nullopt for
// anything else.
std::optional<smtp::CodePattern> codePatternAt(lua_State* L, int index)
{
	if (lua_isinteger(L, index)) return smtp::CodePattern(static_cast<int>(lua_tointeger(L, index)));
	if (lua_type(L, index) != LUA_TSTRING) return std::nullopt;
	std::size_t length;
	const char* text = lua_tolstring(L, index, &length);
	if (!isCodePattern({text, length})) return std::nullopt;
	return smtp::CodePattern(std::string_view(text, length));
}

void addSpecItem(lua_State* L, int index, SpecSource& source)
{
	if (auto code = codePatternAt(L, index))
	{
		source.codes.push_back(std::move(*code));
		return;
	}
	if (lua_type(L, index) == LUA_TNUMBER) throw std::invalid_argument("a reply code must be an integer");
	if (lua_type(L, index) != LUA_TSTRING)
		throw std::invalid_argument(std::string("expect spec items must be codes or strings, not ") + luaL_typename(L, index));
	if (source.regex) throw std::invalid_argument("an expect spec may hold one regex only");
	std::size_t length;
	const char* text = lua_tolstring(L, index, &length);
	source.regex.emplace(text, length);
}

void readTableSpec(lua_State* L, int index, SpecSource& source)
{
	lua_Integer n = luaL_len(L, index);
	for (lua_Integer i = 1; i <= n; ++i)
	{
		lua_geti(L, index, i);
		if (lua_type(L, -1) != LUA_TFUNCTION) addSpecItem(L, lua_gettop(L), source);
		lua_pop(L, 1);
	}
	for (const char* field : {"code", "re"})
	{
		lua_getfield(L, index, field);
		if (!lua_isnil(L, -1)) addSpecItem(L, lua_gettop(L), source);
		lua_pop(L, 1);
	}
}

SpecSource readSpec(lua_State* L, int index)
{
	SpecSource source;
	if (lua_type(L, index) == LUA_TTABLE)
		readTableSpec(L, index, source);
	else if (!lua_isnoneornil(L, index))
		addSpecItem(L, index, source);
	return source;
}

// Compiled specs by key, so a loop of expects compiles each regex once.
const smtp::ReplySpec& compiledSpec(const SpecSource& source)
{
	static thread_local std::unordered_map<std::string, smtp::ReplySpec> cache;
	constexpr std::size_t kMaxCached = 512;
	std::string key = source.key();
	auto found = cache.find(key);
	if (found != cache.end()) return found->second;
	smtp::ReplySpec spec = source.compile();
	if (cache.size() >= kMaxCached) cache.clear();
	return cache.emplace(std::move(key), std::move(spec)).first->second;
}

// What smtp.match returns for a spec without a regex: no captures, or nil.
int pushCodeMatch(lua_State* L, bool matched)
{
	if (matched) lua_createtable(L, 0, 0);
	else lua_pushnil(L);
	return 1;
}

// smtp.match(reply, spec) -> captures table (possibly empty) or nil
int smtpMatch(lua_State* L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	smtp::Reply reply;
	lua_getfield(L, 1, "code");
	reply.code = static_cast<int>(luaL_checkinteger(L, -1));
	lua_pop(L, 1);
	// A lone code or pattern (expect(250), expect("2xx")), the spec of most expects, allocates nothing.
	if (auto pattern = codePatternAt(L, 2)) return pushCodeMatch(L, pattern->matches(reply.code));
	SpecSource source = readSpec(L, 2);
	// Codes alone ({250, 251}) need neither the reply's text nor the cache.
	if (!source.regex) return pushCodeMatch(L, smtp::matchesAnyCode(source.codes, reply.code));
	const smtp::ReplySpec& spec = compiledSpec(source);
	lua_getfield(L, 1, "text");
	reply.texts.emplace_back(luaL_optstring(L, -1, ""));
	lua_pop(L, 1);
	auto captures = spec.match(reply);
	if (!captures)
	{
		lua_pushnil(L);
		return 1;
	}
	lua_createtable(L, static_cast<int>(captures->size()), 0);
	for (std::size_t i = 0; i < captures->size(); ++i)
	{
		lua_pushlstring(L, (*captures)[i].data(), (*captures)[i].size());
		lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
	}
	return 1;
}

// smtp.describe(spec) -> "250 or 251" for messages
int smtpDescribe(lua_State* L)
{
	lua_pushstring(L, compiledSpec(readSpec(L, 1)).describe().c_str());
	return 1;
}

// smtp.raise(kind, message [, extra fields])
int smtpRaise(lua_State* L)
{
	std::string kind = luaL_checkstring(L, 1);
	std::string message = luaL_checkstring(L, 2);
	if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
	raiseError(L, kind, message, lua_isnoneornil(L, 3) ? 0 : 3);
}

int connectContinue(lua_State* L, int status, lua_KContext sessionIndex)
{
	// Stack: arguments..., session, ok [, reason, kind]
	int okIndex = static_cast<int>(sessionIndex) + 1;
	if (!lua_toboolean(L, okIndex))
	{
		std::string reason = lua_tostring(L, okIndex + 1);
		// Implicit TLS failed after TCP connected; the session logged why.
		std::string_view kind = lua_tostring(L, okIndex + 2);
		if (kind == "tls") raiseError(L, "tls", reason);
		Session& session = checkSession(L, static_cast<int>(sessionIndex));
		// A name without an address is a failure to connect too, told as the lookup told it.
		bool unresolved = kind == "resolve";
		session.log().error(unresolved ? reason : "connect failed: " + reason);
		raiseError(L, "connect", unresolved ? reason : "cannot connect: " + reason);
	}
	lua_pushvalue(L, static_cast<int>(sessionIndex));
	return 1;
}

// Makes the session for smtp.connect and starts connecting it; returns its stack index.
int startConnect(lua_State* L)
{
	Engine& engine = Engine::of(L);
	Scheduler::RunId run = engine.scheduler().runOfWaiter(L);
	net::Endpoint endpoint;
	int optsIndex = 2;
	if (lua_type(L, 1) == LUA_TTABLE)
	{
		lua_getfield(L, 1, "host");
		lua_getfield(L, 1, "port");
		endpoint.host = luaL_checkstring(L, -2);
		endpoint.port = static_cast<std::uint16_t>(luaL_optinteger(L, -1, 25));
		lua_pop(L, 2);
	}
	else
	{
		endpoint = net::Endpoint::parse(luaL_checkstring(L, 1));
	}
	if (lua_type(L, 2) == LUA_TNUMBER)
	{
		lua_Integer port = luaL_checkinteger(L, 2);
		if (port < 1 || port > 65535) luaL_argerror(L, 2, "port must be 1-65535");
		endpoint.port = static_cast<std::uint16_t>(port);
		optsIndex = 3;
	}
	if (!lua_isnoneornil(L, optsIndex)) luaL_checktype(L, optsIndex, LUA_TTABLE);
	double replyTimeout = optSecondsField(L, optsIndex, "timeout", engine.settings().replyTimeout);
	double connectTimeout = optSecondsField(L, optsIndex, "connect_timeout", engine.settings().connectTimeout);
	std::optional<net::TlsOptions> tls = implicitTlsOptions(L, optsIndex, endpoint.host);
	lua_settop(L, optsIndex);

	auto* session = new Session(engine, run, engine.scheduler().results()[run].label, replyTimeout);
	pushSession(L, session);
	int sessionIndex = lua_gettop(L);
	session->log().info("Trying " + endpoint.toString() + "...");
	session->connect(endpoint, connectTimeout, L, tls);
	return sessionIndex;
}

// smtp.connect("host[:port]" | {host=, port=} [, port] [, opts]) -> session
int smtpConnect(lua_State* L)
{
	// The C++ locals of the connect end before the wait: a task dropped while it waits is never
	// unwound, so nothing it owns may be on its stack then.
	int sessionIndex = startConnect(L);
	return Engine::of(L).scheduler().wait(L, sessionIndex, connectContinue);
}

int resolveContinue(lua_State* L, int, lua_KContext)
{
	// Stack: host, found, addresses or why
	if (!lua_toboolean(L, -2)) raiseError(L, "connect", lua_tostring(L, -1));
	return 1;
}

void pushAddresses(lua_State* L, const std::vector<Poco::Net::SocketAddress>& addresses)
{
	lua_createtable(L, static_cast<int>(addresses.size()), 0);
	for (std::size_t i = 0; i < addresses.size(); ++i)
	{
		lua_pushstring(L, addresses[i].host().toString().c_str());
		lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
	}
}

// Starts smtp.resolve's lookup and returns true, or pushes the address of a host that is one
// and returns false. Its C++ locals end before the wait (see smtpConnect).
bool startResolve(lua_State* L)
{
	net::Endpoint endpoint{luaL_checkstring(L, 1), 0};
	Engine& engine = Engine::of(L);
	double timeout = luaL_optnumber(L, 2, engine.settings().connectTimeout);
	if (!(timeout >= 0)) luaL_argerror(L, 2, "must not be negative");
	lua_settop(L, 1);
	if (auto literal = net::literalAddress(endpoint))
	{
		pushAddresses(L, {*literal});
		return false;
	}
	engine.scheduler().runOfWaiter(L);
	auto found = [&engine, L](net::HostResolver::Addresses addresses, const std::string& error) {
		lua_pushboolean(L, !addresses.empty());
		if (addresses.empty())
			lua_pushstring(L, error.c_str());
		else
			pushAddresses(L, addresses);
		engine.scheduler().resume(L, 2);
	};
	engine.resolver().lookup(endpoint, toDuration(timeout), std::move(found));
	return true;
}

// smtp.resolve(host [, timeout]) -> {"192.0.2.1", "2001:db8::1", ...}: what smtp.connect would
// try, so a script can time the lookup on its own (smtpx check's "dns" phase). Waits for the
// lookup as smtp.connect does, at most `timeout` seconds (default: the connect timeout); a name
// that does not resolve raises kind "connect", as it does there.
int smtpResolve(lua_State* L)
{
	if (!startResolve(L)) return 1;
	return Engine::of(L).scheduler().wait(L, 0, resolveContinue);
}

int sleepContinue(lua_State* L, int, lua_KContext)
{
	return 0;
}

// smtp.sleep(seconds)
int smtpSleep(lua_State* L)
{
	double seconds = luaL_checknumber(L, 1);
	if (seconds < 0) luaL_argerror(L, 1, "must not be negative");
	Engine& engine = Engine::of(L);
	engine.scheduler().runOfWaiter(L);
	engine.loop().startTimer(toDuration(seconds), [&engine, L] { engine.scheduler().resume(L, 0); });
	return engine.scheduler().wait(L, 0, sleepContinue);
}

// smtp.spawn(fn, ...) -> task: runs fn(...) as another task of this run, concurrently
int smtpSpawn(lua_State* L)
{
	luaL_checktype(L, 1, LUA_TFUNCTION);
	std::string failure;
	try
	{
		Engine::of(L).scheduler().spawnTask(L, lua_gettop(L) - 1);
		return 1;
	}
	catch (const Fiber::StackUnavailable& e)
	{
		failure = e.what();
	}
	raiseError(L, "limit", failure);
}

int joinContinue(lua_State* L, int, lua_KContext)
{
	return Scheduler::pushOutcome(L, -1);
}

// smtp.join(task) -> the task's results, or raises its error
int smtpJoin(lua_State* L)
{
	luaL_checktype(L, 1, LUA_TTHREAD);
	int n = Engine::of(L).scheduler().join(L, 1);
	if (n >= 0) return n;
	return Engine::of(L).scheduler().wait(L, 0, joinContinue);
}

long statusKib(const std::string& field)
{
	std::ifstream status("/proc/self/status");
	std::string line;
	while (std::getline(status, line))
		if (line.rfind(field + ":", 0) == 0) return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
	return -1;
}

// smtp.process_stats() -> {rss_kib=, peak_rss_kib=, open_fds=, waits=}: for benchmarks and leak checks
int smtpProcessStats(lua_State* L)
{
	std::error_code ec;
	lua_Integer fds = 0;
	for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
		++fds;
	lua_createtable(L, 0, 4);
	lua_pushinteger(L, static_cast<lua_Integer>(Engine::of(L).scheduler().waits()));
	lua_setfield(L, -2, "waits");
	lua_pushinteger(L, statusKib("VmRSS"));
	lua_setfield(L, -2, "rss_kib");
	lua_pushinteger(L, statusKib("VmHWM"));
	lua_setfield(L, -2, "peak_rss_kib");
	lua_pushinteger(L, fds - 1);  // less the directory's own descriptor
	lua_setfield(L, -2, "open_fds");
	return 1;
}

// smtp.now() -> seconds on a monotonic clock
int smtpNow(lua_State* L)
{
	auto now = std::chrono::steady_clock::now().time_since_epoch();
	lua_pushnumber(L, std::chrono::duration<double>(now).count());
	return 1;
}

// smtp.encode_data(text) -> the bytes send_data would send
int smtpEncodeData(lua_State* L)
{
	std::size_t length;
	const char* text = luaL_checklstring(L, 1, &length);
	std::string encoded = smtp::encodeMessageData(std::string_view(text, length));
	lua_pushlstring(L, encoded.data(), encoded.size());
	return 1;
}

const luaL_Reg kFunctions[] = {
	{"connect", protect<smtpConnect>},
	{"resolve", protect<smtpResolve>},
	{"sleep", protect<smtpSleep>},
	{"spawn", protect<smtpSpawn>},
	{"join", protect<smtpJoin>},
	{"match", protect<smtpMatch>},
	{"describe", protect<smtpDescribe>},
	{"raise", protect<smtpRaise>},
	{"now", smtpNow},
	{"process_stats", protect<smtpProcessStats>},
	{"encode_data", protect<smtpEncodeData>},
	{nullptr, nullptr},
};

} // namespace

double optSecondsField(lua_State* L, int index, const char* name, double fallback)
{
	if (lua_type(L, index) != LUA_TTABLE) return fallback;
	lua_getfield(L, index, name);
	double value = lua_isnil(L, -1) ? fallback : luaL_checknumber(L, -1);
	lua_pop(L, 1);
	if (value <= 0) luaL_error(L, "option %s must be a positive number of seconds", name);
	return value;
}

void openSmtpLibrary(lua_State* L)
{
	registerErrorType(L);
	registerSessionType(L);
	registerReplyType(L);
	luaL_newlib(L, kFunctions);
	openCodecFunctions(L);
	openReplayFunctions(L);
	openConsoleFunctions(L);
	lua_pushstring(L, SMTPX_VERSION);
	lua_setfield(L, -2, "version");
	// Live progress lines belong on a terminal, never in piped output.
	lua_pushboolean(L, isatty(STDERR_FILENO));
	lua_setfield(L, -2, "interactive");
	luaL_getmetatable(L, "smtpx.Session");
	lua_getfield(L, -1, "methods");
	lua_setfield(L, -3, "Session");
	lua_pop(L, 1);
	lua_setglobal(L, "smtp");
}

} // namespace smtpx::lua
