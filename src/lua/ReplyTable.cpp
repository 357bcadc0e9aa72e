#include "lua/ReplyTable.h"

#include "smtp/ReplyParser.h"

#include <algorithm>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace smtpx::lua {

namespace {

// The registry keeps the replies' metatable under this address (a lookup that allocates
// nothing, so pendingReply can make it where no Lua error may happen).
const char kMetatableKey = 0;

void pushString(lua_State* L, std::string_view text)
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

// On the reply on top of the stack: the lines in waiting and the text.
void setLinesAndText(lua_State* L, std::string_view joinedLines, std::string_view text)
{
	pushString(L, joinedLines);
	lua_rawseti(L, -2, kPendingLinesKey);
	pushString(L, text);
	lua_setfield(L, -2, "text");
}

std::optional<std::string> pendingLines(lua_State* L, int index)
{
	if (lua_type(L, index) != LUA_TTABLE || !isReply(L, index)) return std::nullopt;
	std::optional<std::string> lines;
	if (lua_rawgeti(L, index, kPendingLinesKey) == LUA_TSTRING)
	{
		std::size_t length;
		const char* text = lua_tolstring(L, -1, &length);
		lines.emplace(text, length);
	}
	lua_pop(L, 1);
	return lines;
}

// The lines were a whole reply when they came: parsing them again gives the same lines and texts.
std::optional<smtp::Reply> parseLines(std::string_view joined)
{
	try
	{
		smtp::ReplyParser parser(std::numeric_limits<std::size_t>::max(), std::numeric_limits<std::size_t>::max());
		for (std::size_t start = 0;;)
		{
			std::size_t end = std::min(joined.find('\n', start), joined.size());
			if (auto reply = parser.feed(joined.substr(start, end - start))) return reply;
			if (end == joined.size()) return std::nullopt;
			start = end + 1;
		}
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
	// Most replies are one line: no joining, no copies.
	if (reply.lines.size() == 1)
		setLinesAndText(L, reply.lines.front(), reply.texts.front());
	else
		setLinesAndText(L, reply.joinedLines(), reply.text());
	lua_pushnumber(L, elapsed);
	lua_setfield(L, -2, "elapsed");
	lua_rawgetp(L, LUA_REGISTRYINDEX, &kMetatableKey);
	lua_setmetatable(L, -2);
}

void completeReply(lua_State* L, int index)
{
	index = lua_absindex(L, index);
	std::optional<std::string> lines = pendingLines(L, index);
	if (!lines) return;
	if (std::optional<smtp::Reply> reply = parseLines(*lines))
	{
		setListUnlessSet(L, index, "lines", reply->lines);
		setListUnlessSet(L, index, "texts", reply->texts);
	}
	lua_pushnil(L);
	lua_rawseti(L, index, kPendingLinesKey);
}

std::optional<smtp::Reply> pendingReply(lua_State* L, int index)
{
	std::optional<std::string> lines = pendingLines(L, index);
	return lines ? parseLines(*lines) : std::nullopt;
}

} // namespace smtpx::lua
