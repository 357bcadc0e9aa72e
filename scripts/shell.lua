--- shell: talk to a server by hand, like telnet, with the live transcript; `smtpx shell` runs it.
--
-- Each line typed (or piped in) is sent as a command, and the replies show in the transcript.
-- After a 354 the lines are message text (as in telnet: type ".." for a line starting with a
-- dot) and nothing is awaited until the "." line. Lines starting with ":" are for smtpx:
--   :lua CODE     runs Lua CODE, with the session as `s` (:lua print(s:info().peer))
--   :save FILE    writes the dialogue so far as a transcript (smtpx replay FILE plays it back)
--   :quit         ends the shell (so does end of input)
-- The terminal does the line editing; there is no history.
--
-- Options (--set KEY=VALUE):
--   server    HOST[:PORT] to talk to (or --server; default port 25)
--   wait      seconds to wait for the reply to a command (default 2)
--
-- Exit codes: 0 the shell ended (or the server closed after QUIT); 4 no connection; 7 the server
-- closed the connection unasked.

local p = params
local target = p.server or server or error("no server: use --server HOST[:PORT]")
local wait = tonumber(p.wait or 2)
local s = smtp.connect(target)
local dialogue = { "# smtpx transcript 1", "@source smtpx shell", "@server " .. target }
local in_data = false

-- Reads the reply the server gives within `wait` seconds, and any more it has already sent (the
-- answers to pipelined commands); false once the server has closed the connection. A 421 means
-- the server is closing (RFC 5321 3.8): wait for that rather than for the next typed line.
local function read_replies()
  repeat
    local reply, kind, message = s:next_reply(wait)
    if not reply then
      if kind == "eof" then
        table.insert(dialogue, "! close")
        return false
      end
      if kind ~= "timeout" then s:log(kind .. ": " .. tostring(message)) end
      return true
    end
    for _, line in ipairs(reply.lines) do table.insert(dialogue, "S: " .. line) end
    in_data = reply.code == 354
  until reply.code ~= 421 and s:info().queued_replies == 0
  return true
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

local function save(path)
  local file, err = io.open(path, "w")
  if not file then return io.stderr:write(err, "\n") end
  file:write(table.concat(dialogue, "\n"), "\n")
  file:close()
  s:log("saved the dialogue to " .. path)
end

-- Sends a typed line; false once the server has closed the connection.
local function send_line(line)
  s:send(line)
  table.insert(dialogue, line == "" and "C:" or "C: " .. line)
  if in_data and line ~= "." then return true end
  in_data = false
  return read_replies()
end

local open = read_replies()
local quit = false
while open do
  if smtp.interactive then io.stderr:write("smtpx> ") end
  local line = io.read("l")
  if not line or line == ":quit" then break end
  line = line:gsub("\r$", "")
  local command, argument = line:match("^:(%a+)%s*(.*)$")
  if command == "lua" then run_lua(argument)
  elseif command == "save" and argument ~= "" then save(argument)
  elseif command then io.stderr:write("unknown: ", line, " (:lua CODE, :save FILE, :quit)\n")
  else
    quit = line:upper() == "QUIT"
    open = send_line(line)
  end
end
s:close()
return (open or quit) and 0 or 7
