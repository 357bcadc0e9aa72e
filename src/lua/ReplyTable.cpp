#include "lua/ReplyTable.h"

#include "smtp/ReplyParser.h"

#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace smtpx::lua {

namespace {

// The registry keeps the replies' metatable under this address (a lookup that allocates
// nothing, so pendingReply can make it where no Lua error may happen).
const char kMetatableKey = 0;

void pushString(lua_State* L, const std::string& text)
{
	lua_pushlstring(L, text.data(), text.size());
}

void pushStringList(lua_State* L, const std::vector<std::string>& items)
{
	lua_createtable(L, static_cast<int>(items.size()), 0);
	for (std::size_t i = 0; i < items.size(); ++i)
	{
		pushString(L, items[i]);
		lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
	}
}

bool isReply(lua_State* L, int index)
{
	if (!lua_getmetatable(L, index)) return false;
	lua_rawgetp(L, LUA_REGISTRYINDEX, &kMetatableKey);
	const bool same = lua_rawequal(L, -1, -2);
	lua_pop(L, 2);
	return same;
}

std::optional<std::string> pendingLine(lua_State* L, int index)
{
	if (lua_type(L, index) != LUA_TTABLE || !isReply(L, index)) return std::nullopt;
	std::optional<std::string> line;
	if (lua_rawgeti(L, index, kPendingLineKey) == LUA_TSTRING)
	{
		std::size_t length;
		const char* text = lua_tolstring(L, -1, &length);
		line.emplace(text, length);
	}
	lua_pop(L, 1);
	return line;
}

// The line was a whole reply when it came: parsing it again gives the same lines and texts.
std::optional<smtp::Reply> parseLine(std::string_view line)
{
	try
	{
		smtp::ReplyParser parser(1, std::numeric_limits<std::size_t>::max());
		return parser.feed(line);
	}
	catch (const std::exception&)
	{
		return std::nullopt;
	}
}

// Sets field `name` of the reply at `index` to `items`, unless the script has set it already.
void setListUnlessSet(lua_State* L, int index, const char* name, const std::vector<std::string>& items)
{
	lua_pushstring(L, name);
	const bool set = lua_rawget(L, index) != LUA_TNIL;
	lua_pop(L, 1);
	if (set) return;
	pushStringList(L, items);
	lua_setfield(L, index, name);
}

// __index: `lines` and `texts` are the fields ever missing on purpose.
int indexReply(lua_State* L)
{
	if (lua_type(L, 2) == LUA_TSTRING)
	{
		std::string_view key = lua_tostring(L, 2);
		if (key == "lines" || key == "texts") completeReply(L, 1);
	}
	lua_pushvalue(L, 2);
	lua_rawget(L, 1);
	return 1;
}

// __pairs: the whole reply, then `next` (the base library's, an upvalue: a script's global
// `next` may be anything).
int pairsReply(lua_State* L)
{
	completeReply(L, 1);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

} // namespace

void registerReplyType(lua_State* L)
{
	lua_createtable(L, 0, 3);
	lua_pushcfunction(L, indexReply);
	lua_setfield(L, -2, "__index");
	lua_getglobal(L, "next");
	lua_pushcclosure(L, pairsReply, 1);
	lua_setfield(L, -2, "__pairs");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_rawsetp(L, LUA_REGISTRYINDEX, &kMetatableKey);
}

void pushReply(lua_State* L, const smtp::Reply& reply, double elapsed)
{
	lua_createtable(L, 0, 7);
	lua_pushinteger(L, reply.code);
	lua_setfield(L, -2, "code");
	if (!reply.enhanced.empty())
	{
		pushString(L, reply.enhanced);
		lua_setfield(L, -2, "enhanced");
	}
	if (reply.lines.size() == 1)
	{
		pushString(L, reply.lines.front());
		lua_rawseti(L, -2, kPendingLineKey);
		pushString(L, reply.texts.front());
	}
	else
	{
		pushStringList(L, reply.lines);
		lua_setfield(L, -2, "lines");
		pushStringList(L, reply.texts);
		lua_setfield(L, -2, "texts");
		pushString(L, reply.text());
	}
	lua_setfield(L, -2, "text");
	lua_pushnumber(L, elapsed);
	lua_setfield(L, -2, "elapsed");
	lua_rawgetp(L, LUA_REGISTRYINDEX, &kMetatableKey);
	lua_setmetatable(L, -2);
}

void completeReply(lua_State* L, int index)
{
	index = lua_absindex(L, index);
	std::optional<std::string> line = pendingLine(L, index);
	if (!line) return;
	if (std::optional<smtp::Reply> reply = parseLine(*line))
	{
		setListUnlessSet(L, index, "lines", reply->lines);
		setListUnlessSet(L, index, "texts", reply->texts);
	}
	lua_pushnil(L);
	lua_rawseti(L, index, kPendingLineKey);
}

std::optional<smtp::Reply> pendingReply(lua_State* L, int index)
{
	std::optional<std::string> line = pendingLine(L, index);
	return line ? parseLine(*line) : std::nullopt;
}

} // namespace smtpx::lua
