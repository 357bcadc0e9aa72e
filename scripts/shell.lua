--- shell: talk to a server by hand, like telnet, with the live transcript; `smtpx shell` runs it.
--
-- Each line typed (or piped in) is sent as a command, and the replies show in the transcript, as
-- do replies the server sends while you type (a 421 before it hangs up). After a 354 the lines
-- are message text (as in telnet: type ".." for a line starting with a dot) and nothing is
-- awaited until the "." line. Lines starting with ":" are for smtpx:
--   :lua CODE     runs Lua CODE, with the session as `s` (:lua print(s:info().peer))
--   :save FILE    writes the dialogue so far as a transcript (smtpx replay FILE plays it back);
--                 a FILE ending in .lua gets a script instead (smtpx run FILE)
--   :quit         ends the shell (so does end of input, Ctrl-D)
-- On a terminal the line is edited (libedit: arrows, Ctrl-A/E, Ctrl-R) and the Up arrow brings
-- back earlier lines, also those of earlier sessions: $XDG_STATE_HOME/smtpx/history (default
-- ~/.local/state/smtpx/history, mode 0600, the last 1000 lines). AUTH credentials (the answers
-- to a 334, "AUTH PLAIN <payload>") never go into the history, show as "****" in the transcript
-- and are saved as secret placeholders, filled in by `--set user=... --set password=...`.
--
-- Options (--set KEY=VALUE):
--   server    HOST[:PORT] to talk to (or --server; default port 25)
--   wait      seconds to wait for the reply to a command (default 2)
--   history   off: no history file (the Up arrow still recalls this session's lines); or the
--             FILE to keep it in
--
-- Exit codes: 0 the shell ended (or the server closed after QUIT); 4 no connection; 7 the server
-- closed the connection unasked.

local p = params
local target = p.server or server or error("no server: use --server HOST[:PORT]")
local wait = tonumber(p.wait or 2)
-- How often the shell looks for replies the server sent unasked while it waits for a line. They
-- show in the transcript at once anyway; this is how soon a hang-up ends the shell.
local IDLE_CHECK = 0.2
local s = smtp.connect(target)
-- Kept as typed (AUTH answers too): :save converts it, and the import on the way turns the
-- credentials into placeholders.
local dialogue = { "@source smtpx shell", "@server " .. target }
local in_data = false
local awaiting_auth = false  -- the last reply was a 334: the next line answers the AUTH challenge

local function default_history_file()
  local getenv = os.getenv or function() end  -- gone in --sandbox
  local state = getenv("XDG_STATE_HOME")
  if not state or not state:match("^/") then  -- a relative path is invalid (XDG base directories)
    local home = getenv("HOME")
    if not home or home == "" then return nil end
    state = home .. "/.local/state"
  end
  return state .. "/smtpx/history"
end

local function open_history()
  if not smtp.line_editing or p.history == "off" then return end
  local path = p.history or default_history_file()
  if not path then return end
  local ok, err = smtp.open_history(path)
  if not ok then s:log("no history file: " .. err) end
end

-- Reads the reply the server gives within `wait` seconds, and any more it has already sent (the
-- answers to pipelined commands); false once the server has closed the connection. A 421 means
-- the server is closing (RFC 5321 3.8): wait for that rather than for the next typed line.
local function read_replies()
  repeat
    local reply, kind, message = s:next_reply(wait)
    if not reply then
      if kind == "timeout" then return true end
      if kind == "eof" then
        table.insert(dialogue, "! close")
        return false
      end
      -- A protocol error ends the session: the shell ends with its exit code.
      if not s:info().open then smtp.raise(kind, tostring(message)) end
      s:log(kind .. ": " .. tostring(message))
      return true
    end
    for _, line in ipairs(reply.lines) do table.insert(dialogue, "S: " .. line) end
    in_data = reply.code == 354
    awaiting_auth = reply.code == 334
  until reply.code ~= 421 and s:info().queued_replies == 0
  return true
end

-- The next line typed; meanwhile replies the server sends unasked are read as they come.
-- nil, "closed" once the server has hung up; nil at the end of input.
local function next_line()
  while true do
    local line, why, message = smtp.read_line("smtpx> ", { timeout = IDLE_CHECK })
    if why == "error" then io.stderr:write("smtpx shell: ", message, "\n") end
    if why ~= "timeout" then return line end
    local info = s:info()
    if (info.queued_replies > 0 or not info.open) and not read_replies() then return nil, "closed" end
  end
end

local function run_lua(code)
  local env = setmetatable({ s = s }, { __index = _G })
  local chunk, err = load("return " .. code, "=:lua", "t", env)
  if not chunk then chunk, err = load(code, "=:lua", "t", env) end
  if not chunk then return io.stderr:write(err, "\n") end
  local results = table.pack(pcall(chunk))
  if not results[1] then return io.stderr:write(tostring(results[2]), "\n") end
  for i = 2, results.n do io.write(tostring(results[i]), i < results.n and "\t" or "\n") end
end

-- FILE.lua: a script for smtpx run; anything else: a transcript for smtpx replay.
local function save(path)
  local to = path:match("%.lua$") and "lua" or "canonical"
  local ok, text = pcall(smtp.replay.convert, table.concat(dialogue, "\n") .. "\n", to,
    { from = "rfc", source = "a dialogue typed in smtpx shell" })
  if not ok then return io.stderr:write(tostring(text), "\n") end
  local file, err = io.open(path, "w")
  if not file then return io.stderr:write(err, "\n") end
  file:write(text)
  file:close()
  s:log("saved the dialogue to " .. path .. (to == "lua" and " as a script" or ""))
end

-- "AUTH PLAIN <payload>": the credentials are in the command itself.
local function auth_mechanism_with_credentials(line)
  local mechanism = line:match("^%s*[Aa][Uu][Tt][Hh]%s+(%S+)%s+%S")
  return mechanism and mechanism:upper()
end

-- Sends a typed line; false once the server has closed the connection.
local function send_line(line, secret)
  -- What an smtpx transcript says before a hidden AUTH command, so that its import knows it.
  if secret and not awaiting_auth then
    s:log("AUTH " .. auth_mechanism_with_credentials(line) .. " (credentials hidden in the transcript)")
  end
  s:send(line, { secret = secret })
  table.insert(dialogue, line == "" and "C:" or "C: " .. line)
  if in_data and line ~= "." then return true end
  in_data = false
  awaiting_auth = false
  return read_replies()
end

open_history()
local open = read_replies()
local quit = false
while open do
  local line, why = next_line()
  if why == "closed" then open = false end
  if not line or line == ":quit" then break end
  line = line:gsub("\r$", "")
  local command, argument = line:match("^:(%a+)%s*(.*)$")
  local secret = not (command or in_data) and (awaiting_auth or auth_mechanism_with_credentials(line) ~= nil)
  -- Commands and smtpx's : lines are worth the Up arrow; message text and credentials are not.
  if command or not (secret or in_data) then
    local kept, err = smtp.add_history(line)
    if not kept then s:log("history: " .. err) end
  end
  if command == "lua" then run_lua(argument)
  elseif command == "save" and argument ~= "" then save(argument)
  elseif command then io.stderr:write("unknown: ", line, " (:lua CODE, :save FILE, :quit)\n")
  else
    quit = line:upper() == "QUIT"
    open = send_line(line, secret)
  end
end
s:close()
return (open or quit) and 0 or 7
