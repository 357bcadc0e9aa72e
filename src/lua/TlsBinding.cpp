// The TLS methods of a session userdata (session:starttls, session:tls_info) and the TLS options
// scripts pass to them and to smtp.connect.
#include "lua/Binding.h"
#include "lua/Engine.h"
#include "lua/Session.h"

#include <stdexcept>

namespace smtpx::lua {

namespace {

void readStringOption(lua_State* L, int index, const char* name, std::string& target)
{
	lua_getfield(L, index, name);
	if (!lua_isnil(L, -1))
	{
		if (!lua_isstring(L, -1)) throw std::invalid_argument(std::string("TLS option ") + name + " must be a string");
		target = lua_tostring(L, -1);
	}
	lua_pop(L, 1);
}

// The engine's TLS settings (the command line's --tls-* flags) with the fields of the table at
// `index` (nil: none) over them; the server name defaults to `host`.
net::TlsOptions readTlsOptions(lua_State* L, int index, const std::string& host)
{
	net::TlsOptions options = Engine::of(L).settings().tls;
	if (lua_type(L, index) == LUA_TTABLE)
	{
		readStringOption(L, index, "ca_file", options.caFile);
		readStringOption(L, index, "ca_dir", options.caDir);
		readStringOption(L, index, "cert", options.certFile);
		readStringOption(L, index, "key", options.keyFile);
		readStringOption(L, index, "min_version", options.minVersion);
		readStringOption(L, index, "ciphers", options.ciphers);
		readStringOption(L, index, "server_name", options.serverName);
		lua_getfield(L, index, "insecure");
		if (!lua_isnil(L, -1)) options.insecure = lua_toboolean(L, -1);
		lua_pop(L, 1);
	}
	if (options.serverName.empty()) options.serverName = host;
	return options;
}

void setStringField(lua_State* L, const char* name, const std::string& value)
{
	lua_pushlstring(L, value.data(), value.size());
	lua_setfield(L, -2, name);
}

void setIntegerField(lua_State* L, const char* name, std::int64_t value)
{
	lua_pushinteger(L, static_cast<lua_Integer>(value));
	lua_setfield(L, -2, name);
}

// {version=, cipher=, server_name=, subject=, issuer=, sans={...}, not_before=, not_after=,
//  days_left=, sha256=, verified=, verify_error=}
void pushTlsInfo(lua_State* L, const net::TlsInfo& info)
{
	lua_createtable(L, 0, 12);
	setStringField(L, "version", info.version);
	setStringField(L, "cipher", info.cipher);
	setStringField(L, "server_name", info.serverName);
	setStringField(L, "subject", info.subject);
	setStringField(L, "issuer", info.issuer);
	lua_createtable(L, static_cast<int>(info.sans.size()), 0);
	for (std::size_t i = 0; i < info.sans.size(); ++i)
	{
		lua_pushlstring(L, info.sans[i].data(), info.sans[i].size());
		lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
	}
	lua_setfield(L, -2, "sans");
	setIntegerField(L, "not_before", info.notBefore);
	setIntegerField(L, "not_after", info.notAfter);
	setIntegerField(L, "days_left", info.daysLeft);
	setStringField(L, "sha256", info.sha256);
	lua_pushboolean(L, info.verified);
	lua_setfield(L, -2, "verified");
	if (!info.verified) setStringField(L, "verify_error", info.verifyError);
}

int startTlsContinue(lua_State* L, int, lua_KContext)
{
	// Stack: session, ok [, reason]
	if (!lua_toboolean(L, 2)) raiseError(L, "tls", lua_tostring(L, 3));
	pushTlsInfo(L, *checkSession(L, 1).tlsInfo());
	return 1;
}

// session:starttls([opts]) -> tls_info, once the script sent STARTTLS and the server said 220.
int sessionStartTls(lua_State* L)
{
	Session& session = checkSession(L, 1);
	if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
	net::TlsOptions options = readTlsOptions(L, 2, session.host());
	double timeout = optSecondsField(L, 2, "timeout", session.replyTimeout());
	if (session.tlsInfo()) raiseError(L, "tls", "starttls: TLS is already active");
	checkOpen(L, session, "starttls");
	std::string injected = session.plaintextBeforeTls();
	if (!injected.empty())
	{
		session.log().error(injected);
		session.close("STARTTLS injection");
		raiseError(L, "tls", injected);
	}
	Engine::of(L).scheduler().runOfWaiter(L);
	session.startTls(options, timeout, L);
	lua_settop(L, 1);
	return Engine::of(L).scheduler().wait(L, 0, startTlsContinue);
}

// session:tls_info() -> the table starttls returned, or nil while the session is plain.
int sessionTlsInfo(lua_State* L)
{
	const net::TlsInfo* info = checkSession(L, 1).tlsInfo();
	if (info)
		pushTlsInfo(L, *info);
	else
		lua_pushnil(L);
	return 1;
}

const luaL_Reg kTlsMethods[] = {
	{"starttls", protect<sessionStartTls>},
	{"tls_info", protect<sessionTlsInfo>},
	{nullptr, nullptr},
};

} // namespace

void addTlsMethods(lua_State* L)
{
	luaL_setfuncs(L, kTlsMethods, 0);
}

std::optional<net::TlsOptions> implicitTlsOptions(lua_State* L, int index, const std::string& host)
{
	if (lua_type(L, index) != LUA_TTABLE) return std::nullopt;
	std::optional<net::TlsOptions> options;
	lua_getfield(L, index, "tls");
	if (lua_type(L, -1) == LUA_TTABLE)
		options = readTlsOptions(L, lua_gettop(L), host);
	else if (lua_toboolean(L, -1))
		options = readTlsOptions(L, index, host);
	lua_pop(L, 1);
	return options;
}

} // namespace smtpx::lua
