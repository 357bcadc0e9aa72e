// The methods of a session userdata that are written in C++. The Lua half (expect, on, ...)
// is in stdlib/smtpx/core.lua.
#include "lua/Binding.h"
#include "lua/Engine.h"
#include "lua/Session.h"
#include "smtp/DataEncoder.h"

#include <stdexcept>

namespace smtpx::lua {

namespace {

constexpr const char* kSessionType = "smtpx.Session";

struct SessionBox
{
	Session* session;
};

bool optBoolField(lua_State* L, int index, const char* name)
{
	if (lua_type(L, index) != LUA_TTABLE) return false;
	lua_getfield(L, index, name);
	bool value = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return value;
}

void checkCommandLine(std::string_view line)
{
	if (line.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos)
		throw std::invalid_argument("send: the line contains CR, LF or NUL (use {raw = true} to send bytes as they are)");
}

// How many replies a write asks for: opts.replies when given (LMTP answers the end of data once
// per recipient), else `fallback`.
std::size_t repliesAsked(lua_State* L, int index, std::size_t fallback)
{
	if (lua_type(L, index) != LUA_TTABLE) return fallback;
	lua_getfield(L, index, "replies");
	lua_Integer replies = lua_isnil(L, -1) ? static_cast<lua_Integer>(fallback) : luaL_checkinteger(L, -1);
	lua_pop(L, 1);
	if (replies < 0) throw std::invalid_argument("option replies must not be negative");
	return static_cast<std::size_t>(replies);
}

// Raw bytes ask for one reply per line end of any form. A bare CR counted too may count more
// replies than come, which only lets an early talker pass unnoticed; counting fewer would make
// honest replies look unasked.
std::size_t lineEnds(std::string_view bytes)
{
	// find() is memchr: a message is a few long lines, not bytes to look at one by one.
	std::size_t count = 0;
	for (auto lf = bytes.find('\n'); lf != std::string_view::npos; lf = bytes.find('\n', lf + 1)) ++count;
	for (auto cr = bytes.find('\r'); cr != std::string_view::npos; cr = bytes.find('\r', cr + 1))
		if (cr + 1 == bytes.size() || bytes[cr + 1] != '\n') ++count;
	return count;
}

int drainContinue(lua_State* L, int, lua_KContext top)
{
	// Resumed with (kind, message) on top of the call's arguments when the output did not drain.
	if (lua_gettop(L) <= static_cast<int>(top)) return 0;
	std::string kind = lua_tostring(L, -2);
	std::string message = lua_tostring(L, -1);
	raiseError(L, kind, message);
}

// Blocks the caller's thread on the drain of a large write, so output memory stays bounded.
int waitIfBacklogged(lua_State* L, Session& session)
{
	if (!session.mustWaitForDrain()) return 0;
	Engine::of(L).scheduler().runOfWaiter(L);
	session.waitForDrain(L, session.replyTimeout());
	return Engine::of(L).scheduler().wait(L, lua_gettop(L), drainContinue);
}

int sessionSend(lua_State* L)
{
	Session& session = checkSession(L, 1);
	std::size_t length;
	const char* text = luaL_checklstring(L, 2, &length);
	std::string_view line(text, length);
	bool raw = optBoolField(L, 3, "raw");
	bool secret = optBoolField(L, 3, "secret");
	std::size_t replies = repliesAsked(L, 3, raw ? lineEnds(line) : 1);
	checkOpen(L, session, "send");
	if (raw)
	{
		session.log().client(line, secret);
		session.write(line, replies);
	}
	else
	{
		checkCommandLine(line);
		session.log().client(line, secret);
		std::string bytes(line);
		bytes += "\r\n";
		session.write(bytes, replies);
	}
	return waitIfBacklogged(L, session);
}

void logDataLines(Session& session, std::string_view encoded)
{
	std::size_t start = 0;
	while (start < encoded.size())
	{
		std::size_t end = encoded.find("\r\n", start);
		if (end == std::string_view::npos) end = encoded.size();
		session.log().client(encoded.substr(start, end - start));
		start = end + 2;
	}
}

int sessionSendData(lua_State* L)
{
	Session& session = checkSession(L, 1);
	std::size_t length;
	const char* text = luaL_checklstring(L, 2, &length);
	std::string_view input(text, length);
	bool raw = optBoolField(L, 3, "raw");
	// Raw bytes may be pipelined commands (one reply each) or a message (one reply in all).
	std::size_t replies = repliesAsked(L, 3, raw ? lineEnds(input) : 1);
	checkOpen(L, session, "send_data");
	std::string encoded = raw ? std::string() : smtp::encodeMessageData(input);
	std::string_view bytes = raw ? input : std::string_view(encoded);
	if (!optBoolField(L, 3, "quiet")) logDataLines(session, bytes);
	session.write(bytes, replies);
	return waitIfBacklogged(L, session);
}

// Returns the next whole reply, or nil, kind ("timeout", "eof", "protocol"), message.
int sessionNextReply(lua_State* L)
{
	Session& session = checkSession(L, 1);
	double timeout = luaL_optnumber(L, 2, session.replyTimeout());
	if (timeout <= 0) luaL_argerror(L, 2, "timeout must be positive");
	int top = lua_gettop(L);
	if (session.takeOutcome(L)) return lua_gettop(L) - top;
	Engine::of(L).scheduler().runOfWaiter(L);
	session.waitForReply(L, timeout);
	return Engine::of(L).scheduler().wait(L);
}

int sessionClose(lua_State* L)
{
	checkSession(L, 1).close("closed by the script");
	return 0;
}

int sessionHalfClose(lua_State* L)
{
	checkSession(L, 1).halfClose();
	return 0;
}

int sessionLog(lua_State* L)
{
	checkSession(L, 1).log().info(luaL_checkstring(L, 2));
	return 0;
}

int sessionSetTimeout(lua_State* L)
{
	double seconds = luaL_checknumber(L, 2);
	if (seconds <= 0) luaL_argerror(L, 2, "timeout must be positive");
	checkSession(L, 1).setReplyTimeout(seconds);
	return 0;
}

int sessionInfo(lua_State* L)
{
	Session& session = checkSession(L, 1);
	lua_createtable(L, 0, 4);
	lua_pushstring(L, session.peerAddress().c_str());
	lua_setfield(L, -2, "peer");
	lua_pushstring(L, session.localAddress().c_str());
	lua_setfield(L, -2, "local_address");
	lua_pushboolean(L, session.isOpen());
	lua_setfield(L, -2, "open");
	lua_pushinteger(L, static_cast<lua_Integer>(session.queuedReplies()));
	lua_setfield(L, -2, "queued_replies");
	return 1;
}

int sessionGc(lua_State* L)
{
	auto* box = static_cast<SessionBox*>(luaL_checkudata(L, 1, kSessionType));
	Session* session = box->session;
	box->session = nullptr;
	if (!session) return 0;
	Engine& engine = Engine::of(L);
	// The collector may run inside one of this session's own callbacks: free it from the loop.
	if (engine.closing())
		delete session;
	else
		engine.loop().defer([session] { delete session; });
	return 0;
}

int sessionToString(lua_State* L)
{
	Session& session = checkSession(L, 1);
	lua_pushfstring(L, "smtpx session %s", session.log().label().c_str());
	return 1;
}

const luaL_Reg kMethods[] = {
	{"send", protect<sessionSend>},
	{"send_data", protect<sessionSendData>},
	{"next_reply", protect<sessionNextReply>},
	{"close", protect<sessionClose>},
	{"half_close", protect<sessionHalfClose>},
	{"log", protect<sessionLog>},
	{"set_timeout", protect<sessionSetTimeout>},
	{"info", protect<sessionInfo>},
	{nullptr, nullptr},
};

} // namespace

void checkOpen(lua_State* L, Session& session, const char* what)
{
	if (session.isOpen()) return;
	const auto& failure = session.failure();
	if (failure) raiseError(L, failure->first, std::string(what) + ": " + failure->second);
	raiseError(L, "eof", std::string(what) + ": the connection is closed");
}

Session& checkSession(lua_State* L, int index)
{
	auto* box = static_cast<SessionBox*>(luaL_checkudata(L, index, kSessionType));
	if (!box->session) luaL_argerror(L, index, "session already collected");
	return *box->session;
}

void pushSession(lua_State* L, Session* session)
{
	auto* box = static_cast<SessionBox*>(lua_newuserdatauv(L, sizeof(SessionBox), 0));
	box->session = session;
	luaL_setmetatable(L, kSessionType);
}

void registerSessionType(lua_State* L)
{
	luaL_newmetatable(L, kSessionType);
	luaL_newlib(L, kMethods);
	addTlsMethods(L);
	lua_pushvalue(L, -1);
	lua_setfield(L, -3, "__index");
	lua_setfield(L, -2, "methods");
	lua_pushcfunction(L, sessionGc);
	lua_setfield(L, -2, "__gc");
	lua_pushcfunction(L, sessionToString);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
}

} // namespace smtpx::lua
