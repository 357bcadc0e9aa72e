#include "lua/PrecompiledModules.h"

#include "lua/Binding.h"

#include <algorithm>
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

struct ModuleFile
{
	std::string path;
	std::string contents;  // empty when it cannot be read (a directory opens too)
};

// The file require's Lua searcher would load `name` from, read: the first template of `path`
// that names a file it can open (as package.searchpath finds it). nullopt when none does.
std::optional<ModuleFile> findOnPath(std::string name, std::string_view path)
{
	std::replace(name.begin(), name.end(), '.', '/');
	for (std::size_t start = 0; start <= path.size();)
	{
		std::size_t end = std::min(path.find(';', start), path.size());
		std::string candidate(path.substr(start, end - start));
		start = end + 1;
		for (std::size_t at = candidate.find('?'); at != std::string::npos; at = candidate.find('?', at + name.size()))
			candidate.replace(at, 1, name);
		std::ifstream in(candidate, std::ios::binary | std::ios::ate);
		if (candidate.empty() || !in) continue;
		ModuleFile file{std::move(candidate), {}};
		std::streamoff size = in.tellg();
		file.contents.resize(size > 0 ? static_cast<std::size_t>(size) : 0);
		in.seekg(0);
		in.read(file.contents.data(), static_cast<std::streamsize>(file.contents.size()));
		if (!in) file.contents.clear();
		return file;
	}
	return std::nullopt;
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

std::string packagePath(lua_State* L)
{
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_getfield(L, -1, LUA_LOADLIBNAME);
	lua_getfield(L, -1, "path");
	const char* path = lua_tostring(L, -1);
	std::string result = path ? path : "";
	lua_pop(L, 3);
	return result;
}

// package.searchers entry: the loader and the file name; nothing (so require's "not found"
// message gains no line) when it is not a stdlib module as compiled.
int searchPrecompiled(lua_State* L)
{
	const char* name = luaL_checkstring(L, 1);
	const PrecompiledModule* module = findModule(name);
	std::optional<ModuleFile> file = module ? findOnPath(name, packagePath(L)) : std::nullopt;
	if (!file || file->contents != module->source) return 0;
	const std::string chunkName = "@" + file->path;
	const std::string dumpedName = dumpedString(chunkName);
	RenamedChunk chunk{{module->bytecode.substr(0, module->sourceNameAt), dumpedName,
		module->bytecode.substr(module->sourceNameAt + module->sourceNameLength)}};
	if (lua_load(L, readRenamedChunk, &chunk, chunkName.c_str(), "b") != LUA_OK)
	{
		// Not expected (the bytecode comes from this build's Lua): the file searcher parses it.
		lua_pushfstring(L, "precompiled module '%s' did not load: %s", name, lua_tostring(L, -1));
		return 1;
	}
	lua_pushstring(L, file->path.c_str());
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
	lua_pushcfunction(L, protect<searchPrecompiled>);
	lua_seti(L, -2, 2);
	lua_pop(L, 3);
}

} // namespace smtpx::lua
