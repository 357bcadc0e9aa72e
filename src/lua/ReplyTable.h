// ReplyTable: a reply as the Lua table scripts get: {code=, enhanced=, lines=, texts=, text=,
// elapsed=}. Its `lines` and `texts` tables are made when first read: building them for scripts
// that never look was a sixth of a load-test message's instructions (and the nine-line EHLO
// reply's eighteen strings most of a new connection's). Until then the lines wait at key 0,
// joined with '\n', and the replies' shared metatable makes the tables on `reply.lines`,
// `reply.texts` and `pairs(reply)`; only `next` and `rawget` see the difference. The metatable
// is protected (setmetatable on a reply is an error), so the fields cannot be lost.
#pragma once

#include "lua/LuaHeaders.h"
#include "smtp/Reply.h"

#include <optional>

namespace smtpx::lua {

// Registers the replies' metatable; once per Lua state, before the first pushReply.
void registerReplyType(lua_State* L);

// Pushes `reply` as a reply table.
void pushReply(lua_State* L, const smtp::Reply& reply, double elapsed);

// Makes the table at `index`, if it is a reply whose tables are not made yet, whole. May raise
// a Lua error (memory): for code about to walk tables with lua_next.
void completeReply(lua_State* L, int index);

// The reply a table at `index` holds in its lines in waiting, without touching Lua's memory (for
// code that must not raise); nullopt for any other table.
std::optional<smtp::Reply> pendingReply(lua_State* L, int index);

// The key the lines in waiting are kept at.
constexpr lua_Integer kPendingLinesKey = 0;

} // namespace smtpx::lua
