#include "lua/PrecompiledModules.h"

#include "lua/Binding.h"

#include <array>
#include <fstream>
#include <optional>
#include <string>

namespace smtpx::lua {

namespace {

const PrecompiledModule* findModule(std::string_view name)
{
	for (const auto& module : precompiledStdlib())
		if (module.name == name) return &module;
	return nullptr;
}

// The file require's Lua file searcher would load `name` from: package.searchpath (the
// function as it was when the searcher was added, upvalue 1) on package.path. nullopt when
// there is none.
std::optional<std::string> findOnPath(lua_State* L, const char* name)
{
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushstring(L, name);
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_getfield(L, -1, LUA_LOADLIBNAME);
	lua_getfield(L, -1, "path");
	lua_replace(L, -3);
	lua_pop(L, 1);
	lua_call(L, 2, 1);
	std::optional<std::string> path;
	if (const char* found = lua_tostring(L, -1)) path = found;
	lua_pop(L, 1);
	return path;
}

// Whether the file at `path` holds exactly `text` (its size is compared before anything is read).
bool holdsExactly(const std::string& path, std::string_view text)
{
	std::ifstream in(path, std::ios::binary | std::ios::ate);
	if (!in || in.tellg() != static_cast<std::streamoff>(text.size())) return false;
	std::string contents(text.size(), '\0');
	in.seekg(0);
	return in.read(contents.data(), static_cast<std::streamsize>(contents.size())) && contents == text;
}

// The bytecode in three pieces, the chunk name it was compiled with replaced: lua_load's reader.
struct RenamedChunk
{
	std::array<std::string_view, 3> pieces;
	std::size_t next = 0;
};

const char* readRenamedChunk(lua_State*, void* data, std::size_t* size)
{
	auto* chunk = static_cast<RenamedChunk*>(data);
	if (chunk->next == chunk->pieces.size()) return nullptr;
	std::string_view piece = chunk->pieces[chunk->next++];
	*size = piece.size();
	return piece.data();
}

// package.searchers entry: the loader and the file name; nothing (so require's "not found"
// message gains no line) when it is not a stdlib module as compiled.
int searchPrecompiled(lua_State* L)
{
	const char* name = luaL_checkstring(L, 1);
	const PrecompiledModule* module = findModule(name);
	std::optional<std::string> path = module ? findOnPath(L, name) : std::nullopt;
	if (!path || !holdsExactly(*path, module->source)) return 0;
	const std::string chunkName = "@" + *path;
	const std::string dumpedName = dumpedString(chunkName);
	RenamedChunk chunk{{module->bytecode.substr(0, module->sourceNameAt), dumpedName,
		module->bytecode.substr(module->sourceNameAt + module->sourceNameLength)}};
	if (lua_load(L, readRenamedChunk, &chunk, chunkName.c_str(), "b") != LUA_OK)
	{
		// Not expected (the bytecode comes from this build's Lua): the file searcher parses it.
		lua_pushfstring(L, "precompiled module '%s' did not load: %s", name, lua_tostring(L, -1));
		return 1;
	}
	lua_pushstring(L, path->c_str());
	return 2;
}

} // namespace

void addPrecompiledSearcher(lua_State* L)
{
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_getfield(L, -1, LUA_LOADLIBNAME);
	lua_getfield(L, -1, "searchers");
	// After package.preload's searcher (1), before the Lua file searcher.
	for (auto i = static_cast<lua_Integer>(luaL_len(L, -1)); i >= 2; --i)
	{
		lua_geti(L, -1, i);
		lua_seti(L, -2, i + 1);
	}
	lua_getfield(L, -2, "searchpath");
	lua_pushcclosure(L, protect<searchPrecompiled>, 1);
	lua_seti(L, -2, 2);
	lua_pop(L, 3);
}

} // namespace smtpx::lua
