#include "lua/LuaData.h"

#include "lua/ReplyTable.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <stdexcept>

namespace smtpx::lua {

namespace {

constexpr int kMaxDepth = 32;

Poco::Dynamic::Var convert(lua_State* L, int index, int depth);

bool isSequence(lua_State* L, int index)
{
	lua_Integer length = static_cast<lua_Integer>(lua_rawlen(L, index));
	if (length == 0) return false;
	lua_Integer keys = 0;
	lua_pushnil(L);
	while (lua_next(L, index))
	{
		lua_pop(L, 1);
		++keys;
	}
	return keys == length;
}

// Text for a key or a value that is not data. Nothing here may call into Lua (a __tostring
// could raise an error, and no protected call surrounds this), nor use lua_tostring on a number
// key, which would change the key in place and confuse lua_next.
std::string textOf(lua_State* L, int index)
{
	switch (lua_type(L, index))
	{
	case LUA_TSTRING:
		return lua_tostring(L, index);
	case LUA_TNUMBER:
		if (lua_isinteger(L, index)) return std::to_string(lua_tointeger(L, index));
		return std::to_string(lua_tonumber(L, index));
	case LUA_TBOOLEAN:
		return lua_toboolean(L, index) ? "true" : "false";
	default:
		return luaL_typename(L, index);
	}
}

Poco::JSON::Array::Ptr toArray(const std::vector<std::string>& items)
{
	Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
	for (const auto& item : items) array->add(item);
	return array;
}

Poco::Dynamic::Var convertTable(lua_State* L, int index, int depth)
{
	if (depth > kMaxDepth) throw std::runtime_error("the returned table nests deeper than 32 levels (a cycle?)");
	if (!lua_checkstack(L, 4)) throw std::runtime_error("out of memory converting the returned table");
	if (isSequence(L, index))
	{
		Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
		lua_Integer length = static_cast<lua_Integer>(lua_rawlen(L, index));
		for (lua_Integer i = 1; i <= length; ++i)
		{
			lua_rawgeti(L, index, i);
			array->add(convert(L, lua_gettop(L), depth + 1));
			lua_pop(L, 1);
		}
		return array;
	}
	Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
	// A reply whose lines are not made yet (ReplyTable.h) shows them, not the lines in waiting.
	std::optional<smtp::Reply> pending = pendingReply(L, index);
	lua_pushnil(L);
	while (lua_next(L, index))
	{
		const bool waitingLines = pending && lua_isinteger(L, -2) && lua_tointeger(L, -2) == kPendingLinesKey;
		if (!waitingLines) object->set(textOf(L, lua_gettop(L) - 1), convert(L, lua_gettop(L), depth + 1));
		lua_pop(L, 1);
	}
	if (pending)
	{
		if (!object->has("lines")) object->set("lines", toArray(pending->lines));
		if (!object->has("texts")) object->set("texts", toArray(pending->texts));
	}
	return object;
}

Poco::Dynamic::Var convert(lua_State* L, int index, int depth)
{
	switch (lua_type(L, index))
	{
	case LUA_TNIL:
		return {};
	case LUA_TBOOLEAN:
		return static_cast<bool>(lua_toboolean(L, index));
	case LUA_TNUMBER:
		if (lua_isinteger(L, index)) return static_cast<Poco::Int64>(lua_tointeger(L, index));
		return static_cast<double>(lua_tonumber(L, index));
	case LUA_TSTRING:
	{
		std::size_t length;
		const char* text = lua_tolstring(L, index, &length);
		return std::string(text, length);
	}
	case LUA_TTABLE:
		return convertTable(L, index, depth);
	default:
		return textOf(L, index);
	}
}

} // namespace

Poco::Dynamic::Var toData(lua_State* L, int index)
{
	return convert(L, lua_absindex(L, index), 0);
}

} // namespace smtpx::lua
