--- smtpx.esmtp: SMTP service extensions without I/O: EHLO capability parsing, MAIL FROM and
-- RCPT TO command lines with their parameters (RFC 1870 SIZE, RFC 6152 8BITMIME, RFC 6531
-- SMTPUTF8, RFC 3461 DSN), xtext, and the refusal of CR, LF and NUL in anything that goes into
-- a command line (SMTP smuggling, RFC 5321 section 2.3.8).
--
-- @usage
-- local esmtp = require "smtpx.esmtp"
-- local caps = esmtp.parse_capabilities(reply)   -- reply of EHLO
-- if caps.auth.PLAIN and caps.size > 0 then ... end
-- s:send(esmtp.mail_command("a@example.com", { size = 1234, body = "8BITMIME" }))

local esmtp = {}

--- Raises a "script" error when `value` holds CR, LF or NUL, or is not a string.
-- Every address, name and parameter the stdlib puts into a command line goes through here, so
-- a value from --set cannot end a command early and start another one.
-- @param value the text to check
-- @param what  what it is, for the message ("recipient address")
-- @return value
function esmtp.check_arg(value, what)
  if type(value) ~= "string" then
    smtp.raise("script", string.format("%s must be a string, not %s", what, type(value)))
  end
  local bad = value:find("[\r\n%z]")
  if bad then
    local names = { ["\r"] = "CR", ["\n"] = "LF", ["\0"] = "NUL" }
    smtp.raise("script", string.format("%s contains %s at byte %d: refused (it would end the command line "
      .. "and smuggle another one)", what, names[value:sub(bad, bad)], bad))
  end
  return value
end

-- Fields of a caps table that a keyword of the same name must not overwrite.
local RESERVED = { names = true, params = true, auth = true, size = true, esmtp = true, domain = true, greeting = true }

--- Capabilities from an EHLO (or LHLO) reply.
-- Keys are the keywords in lower case: `caps.pipelining`, `caps.starttls`, `caps["8bitmime"]`,
-- `caps.smtputf8`, `caps.chunking`, `caps.dsn`, `caps.enhancedstatuscodes`, ... are true when
-- offered. `caps.size` is the SIZE limit in bytes (0: no fixed limit; nil: SIZE not offered).
-- `caps.auth` is a set of mechanism names in upper case (also from the old "AUTH=" form), empty
-- when AUTH is not offered. `caps.names` lists the keywords in upper case, in the server's order;
-- `caps.params[keyword]` their parameters as one string; `caps.domain` and `caps.greeting` come
-- from the first line; `caps.esmtp` is false for a HELO reply.
-- @param reply a reply table (its `lines`) or a list of line texts without the "250-"
-- @return caps table
function esmtp.parse_capabilities(reply)
  local texts = {}
  if reply.lines then
    for i, line in ipairs(reply.lines) do texts[i] = line:sub(5) end
  else
    texts = reply
  end
  local caps = { names = {}, params = {}, auth = {}, esmtp = true }
  caps.greeting = texts[1] or ""
  caps.domain = caps.greeting:match("^(%S+)")
  for i = 2, #texts do
    local keyword, params = texts[i]:match("^%s*([%w%-=]+)%s*(.-)%s*$")
    if keyword then
      local old_auth = keyword:upper():match("^AUTH=(.*)")
      if old_auth then
        keyword, params = "AUTH", old_auth .. " " .. params
      end
      local name = keyword:upper()
      if not caps.params[name] then table.insert(caps.names, name) end
      caps.params[name] = params
      if name == "AUTH" then
        for mechanism in params:gmatch("%S+") do caps.auth[mechanism:upper()] = true end
      elseif name == "SIZE" then
        caps.size = tonumber(params:match("^%d+")) or 0
      elseif not RESERVED[name:lower()] then
        caps[name:lower()] = true
      end
    end
  end
  return caps
end

--- The capabilities of a server that only knows HELO: none.
-- @param reply the 250 reply to HELO
function esmtp.no_capabilities(reply)
  local caps = esmtp.parse_capabilities({ (reply.texts or {})[1] })
  caps.esmtp = false
  return caps
end

--- RFC 3461 xtext: "+" and "=", controls, space and non-ASCII bytes as "+XX".
function esmtp.xtext(text)
  return (text:gsub("[^!-*,-<>-~]", function(c) return string.format("+%02X", c:byte()) end))
end

local BODY_TYPES = { ["7BIT"] = true, ["8BITMIME"] = true, ["BINARYMIME"] = true }
local RET_TYPES = { FULL = true, HDRS = true }
local NOTIFY_TYPES = { NEVER = true, SUCCESS = true, FAILURE = true, DELAY = true }

local function check_param(value, what)
  esmtp.check_arg(value, what)
  if value:find("[%s%c]") or value == "" then
    smtp.raise("script", string.format("%s %q is empty or holds spaces or control characters", what, value))
  end
  return value
end

-- Raw extra parameters given as a list of "KEY=VALUE" or "KEY" strings.
local function add_extra(parts, extra)
  for _, param in ipairs(extra or {}) do
    table.insert(parts, check_param(param, "parameter"))
  end
end

local function choice(value, allowed, what)
  local upper = tostring(value):upper()
  if not allowed[upper] then
    local names = {}
    for name in pairs(allowed) do table.insert(names, name) end
    table.sort(names)
    smtp.raise("script",
      string.format("%s must be one of %s, not %q", what, table.concat(names, ", "), tostring(value)))
  end
  return upper
end

--- The MAIL FROM command line.
-- @param from the reverse path without angle brackets ("" for the null sender)
-- @param opts optional: size (bytes), body ("7BIT", "8BITMIME", "BINARYMIME"), smtputf8 (bool),
--   ret ("FULL" or "HDRS"), envid (text, xtext-encoded here), params (list of raw "KEY=VALUE")
-- @usage esmtp.mail_command("a@example.com", { size = 2048, ret = "HDRS" })
--   --> "MAIL FROM:<a@example.com> SIZE=2048 RET=HDRS"
function esmtp.mail_command(from, opts)
  opts = opts or {}
  esmtp.check_arg(from, "sender address")
  local parts = { "MAIL FROM:<" .. from .. ">" }
  if opts.size then
    local size = math.tointeger(opts.size)
    if not size or size < 0 then smtp.raise("script", "SIZE must be a whole number of bytes") end
    table.insert(parts, "SIZE=" .. size)
  end
  if opts.body then table.insert(parts, "BODY=" .. choice(opts.body, BODY_TYPES, "BODY")) end
  if opts.smtputf8 then table.insert(parts, "SMTPUTF8") end
  if opts.ret then table.insert(parts, "RET=" .. choice(opts.ret, RET_TYPES, "RET")) end
  if opts.envid then table.insert(parts, "ENVID=" .. esmtp.xtext(esmtp.check_arg(opts.envid, "ENVID"))) end
  add_extra(parts, opts.params)
  return table.concat(parts, " ")
end

-- "SUCCESS,FAILURE" or {"SUCCESS", "FAILURE"} -> "SUCCESS,FAILURE", checked (RFC 3461 4.1).
local function notify_value(notify)
  local list = notify
  if type(notify) == "string" then
    list = {}
    for item in notify:gmatch("[^,%s]+") do table.insert(list, item) end
  end
  local names = {}
  for i, item in ipairs(list) do names[i] = choice(item, NOTIFY_TYPES, "NOTIFY") end
  if #names == 0 then smtp.raise("script", "NOTIFY needs at least one of NEVER, SUCCESS, FAILURE, DELAY") end
  for _, name in ipairs(names) do
    if name == "NEVER" and #names > 1 then smtp.raise("script", "NOTIFY=NEVER cannot be combined with others") end
  end
  return table.concat(names, ",")
end

--- The RCPT TO command line.
-- @param to the forward path without angle brackets
-- @param opts optional: notify ("SUCCESS,FAILURE" or a list; "NEVER"), orcpt (an address, or
--   "type;address"; xtext-encoded here), params (list of raw "KEY=VALUE")
-- @usage esmtp.rcpt_command("b@example.com", { notify = "SUCCESS,FAILURE", orcpt = "b@example.com" })
--   --> "RCPT TO:<b@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.com"
function esmtp.rcpt_command(to, opts)
  opts = opts or {}
  esmtp.check_arg(to, "recipient address")
  if to == "" then smtp.raise("script", "a recipient address cannot be empty") end
  local parts = { "RCPT TO:<" .. to .. ">" }
  if opts.notify then table.insert(parts, "NOTIFY=" .. notify_value(opts.notify)) end
  if opts.orcpt then
    local orcpt = esmtp.check_arg(opts.orcpt, "ORCPT")
    local kind, address = orcpt:match("^([%w%-]+);(.+)$")
    if not kind then kind, address = "rfc822", orcpt end
    table.insert(parts, "ORCPT=" .. kind .. ";" .. esmtp.xtext(address))
  end
  add_extra(parts, opts.params)
  return table.concat(parts, " ")
end

return esmtp
