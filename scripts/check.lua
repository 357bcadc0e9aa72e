--- check: health check of an SMTP server, each phase timed; `smtpx check` runs it and judges it.
--
-- Phases, in order: dns, connect (TCP, and TLS with tls=1), banner, ehlo, starttls (STARTTLS,
-- the handshake and the EHLO after it), auth, mail, rcpt, data (DATA, the message and the
-- reply to it), quit. The check goes as far as stop_after, then says QUIT; no message is sent
-- unless stop_after is data. The first failure ends it. It returns a table (see
-- docs/health-checks.md) that `smtpx check` turns into a Nagios, Prometheus or JSON report;
-- `smtpx run check` only shows the dialogue.
--
-- Options (--set KEY=VALUE; `smtpx check` sets them from its own options):
--   server         HOST[:PORT] to check (or --server; default port 25)
--   stop_after     connect, banner, ehlo (default), starttls, auth, mail, rcpt or data
--   timeout        seconds for the whole check (default 10)
--   helo           name for EHLO (default: localhost)
--   starttls       1: STARTTLS after EHLO        tls  1: TLS from the first byte
--   auth_user, auth_password, auth_mechanism     AUTH after EHLO (mechanism: the strongest offered)
--   from, to       envelope addresses for mail/rcpt/data (from: the null sender <>)
--   expect_banner  regex the banner must match (searched in its lines, codes included)
--   require        capabilities EHLO must offer, one per line ("STARTTLS", "AUTH PLAIN")
--   reject         regex: any reply whose lines match fails the check at once
--   dialogue       a Lua file returning function(check) that drives the dialogue instead

local client = require "smtpx.client"

local p = params
local PHASES = { "dns", "connect", "banner", "ehlo", "starttls", "auth", "mail", "rcpt", "data", "quit" }
local STOP_RANK = { connect = 2, banner = 3, ehlo = 4, starttls = 5, auth = 6, mail = 7, rcpt = 8, data = 9 }

-- The parts of a reply a report needs.
local function summary_of(reply)
  return { code = reply.code, enhanced = reply.enhanced, lines = reply.lines }
end

-- Regexes are searched in the reply's lines as received, so "^554" or "5\.7\.1" work too.
local function matches(reply, regex)
  return smtp.match({ code = reply.code, text = table.concat(reply.lines, "\n") }, regex) ~= nil
end

local function split_lines(text)
  local list = {}
  for line in (text or ""):gmatch("[^\n]+") do table.insert(list, line) end
  return list
end

-- "AUTH PLAIN": the keyword must be offered, and each word after it among its parameters.
local function offers(caps, requirement)
  local words = {}
  for word in requirement:gmatch("%S+") do table.insert(words, word:upper()) end
  local params = caps.params[words[1]]
  if not params then return false end
  local offered = {}
  for word in params:gmatch("%S+") do offered[word:upper()] = true end
  for i = 2, #words do
    if not offered[words[i]] then return false end
  end
  return true
end

local function capability_lines(caps)
  local lines = {}
  for _, name in ipairs(caps.names) do
    local params = caps.params[name]
    table.insert(lines, params ~= "" and name .. " " .. params or name)
  end
  return lines
end

--- The object a dialogue drives: built-in steps that time themselves and apply the
-- expectations, and phase() for steps of its own.
local Check = {}
Check.__index = Check

local function new_check(target)
  local host, port = target:match("^%[(.+)%]:(%d+)$")
  if not host then host, port = target:match("^(.+):(%d+)$") end
  local self = setmetatable({
    target = target,
    host = host or target,
    port = tonumber(port) or 25,
    params = p,
    budget = tonumber(p.timeout) or 10,
    started = smtp.now(),
    requirements = split_lines(p.require),
    offered = {},            -- capability keywords seen in any EHLO reply, with parameters
    phases = {},
    result = { capabilities = {} },
  }, Check)
  return self
end

-- Seconds left of the whole check's budget, rounded to ms; raises "timeout" when none are.
function Check:remaining()
  local left = self.budget - (smtp.now() - self.started)
  if left <= 0 then
    smtp.raise("timeout", string.format("the check used up its %g s before this phase", self.budget))
  end
  return math.max(0.001, math.floor(left * 1000 + 0.5) / 1000)
end

--- Runs fn(...) as the phase `name`: timed, its last reply kept; an error in it fails the
-- check at this phase (and is raised on, so the dialogue stops).
function Check:phase(name, fn, ...)
  local entry, outer = { name = name }, self.current
  table.insert(self.phases, entry)
  self.current = entry
  local started = smtp.now()
  local results = table.pack(pcall(function(...)
    if self.client then self.client.session:set_timeout(self:remaining()) end
    return fn(...)
  end, ...))
  entry.seconds = smtp.now() - started
  self.current = outer
  if not results[1] then
    self.failure = self.failure or { phase = name, err = results[2] }
    error(results[2], 0)
  end
  return table.unpack(results, 2, results.n)
end

-- Every reply the client reads passes here: it is kept for the report and checked against
-- the reject regex.
function Check:read_reply(c)
  local reply, kind, message = c.session:next_reply()
  if not reply then smtp.raise(kind, message) end
  self.result.last_reply = summary_of(reply)
  if self.current then self.current.reply = self.result.last_reply end
  if p.reject and matches(reply, p.reject) then
    smtp.raise("reject", "the reply matches the reject regex /" .. p.reject .. "/: " .. table.concat(reply.lines, " / "),
      { code = reply.code, enhanced = reply.enhanced })
  end
  return reply
end

function Check:note_tls()
  self.result.tls = self.client.session:tls_info()
end

function Check:dns()
  return self:phase("dns", function()
    self.addresses = smtp.resolve(self.host, self:remaining())
    return self.addresses
  end)
end

-- Connects to the first address the dns phase found, as blackbox_exporter does, so the lookup
-- is not timed twice; TLS still checks the certificate against the name.
function Check:connect()
  return self:phase("connect", function()
    local budget = self:remaining()
    local tls = p.tls == "1" and { server_name = self.host } or nil
    local c = client.open({ host = self.addresses[1], port = self.port },
      { timeout = budget, connect_timeout = budget, helo = p.helo, tls = tls })
    c.read_reply = function(own) return self:read_reply(own) end
    self.client, self.session = c, c.session
    if tls then self:note_tls() end
    return c
  end)
end

function Check:banner()
  return self:phase("banner", function()
    local reply = self.client:greeting()
    if p.expect_banner and not matches(reply, p.expect_banner) then
      smtp.raise("expect", "the banner does not match /" .. p.expect_banner .. "/: " .. table.concat(reply.lines, " / "),
        { code = reply.code })
    end
    return reply
  end)
end

-- Capabilities of every EHLO count (STARTTLS is only offered before TLS, AUTH often only after).
function Check:note_caps(caps)
  self.caps = caps
  self.result.capabilities = capability_lines(caps)
  for name, params in pairs(caps.params) do self.offered[name] = params end
end

function Check:require_caps()
  local missing = {}
  for _, requirement in ipairs(self.requirements) do
    if not offers({ params = self.offered }, requirement) then table.insert(missing, requirement) end
  end
  if #missing > 0 then
    smtp.raise("capability", "the server does not offer " .. table.concat(missing, ", "))
  end
end

function Check:ehlo()
  return self:phase("ehlo", function()
    self:note_caps(self.client:ehlo())
    if p.starttls ~= "1" then self:require_caps() end
    return self.caps
  end)
end

function Check:starttls()
  return self:phase("starttls", function()
    self:note_caps(self.client:starttls({ server_name = self.host, timeout = self:remaining() }))
    self:note_tls()
    self:require_caps()
    return self.caps
  end)
end

function Check:auth()
  return self:phase("auth", function()
    return self.client:auth { mechanism = p.auth_mechanism, user = p.auth_user, password = p.auth_password }
  end)
end

function Check:mail(from)
  return self:phase("mail", function() return self.client:mail(from or p.from or "") end)
end

function Check:rcpt(to)
  return self:phase("rcpt", function() return self.client:rcpt(to or p.to) end)
end

local function test_message(from, to, helo)
  return table.concat({
    "From: " .. (from ~= "" and from or "<>"),
    "To: " .. to,
    "Subject: smtpx check " .. os.date("!%Y-%m-%dT%H:%M:%SZ"),
    "Date: " .. os.date("!%a, %d %b %Y %H:%M:%S +0000"),
    string.format("Message-ID: <check.%d.%d@%s>", os.time(), math.random(1, 1 << 30), helo),
    "",
    "This message was sent by smtpx check to test the mail service. It can be deleted.",
  }, "\r\n")
end

function Check:data(message)
  return self:phase("data", function()
    return self.client:data(message or test_message(p.from or "", p.to, p.helo or "localhost"))
  end)
end

function Check:quit()
  return self:phase("quit", function() return self.client:quit() end)
end

-- The phases the built-in dialogue goes through: up to stop_after, and STARTTLS and AUTH
-- whenever they are asked for; QUIT once there was a banner.
local function plan()
  local stop = STOP_RANK[p.stop_after or "ehlo"]
  if not stop then smtp.raise("usage", "stop_after must be one of connect banner ehlo starttls auth mail rcpt data") end
  local wanted = { starttls = p.starttls == "1", auth = p.auth_user ~= nil }
  for name, rank in pairs(STOP_RANK) do
    if wanted[name] then stop = math.max(stop, rank) end
  end
  local phases = {}
  for rank, name in ipairs(PHASES) do
    local optional = wanted[name] ~= nil
    if rank <= stop and (not optional or wanted[name]) then table.insert(phases, name) end
  end
  if stop >= STOP_RANK.banner then table.insert(phases, "quit") end
  return phases
end

local function builtin_dialogue(check)
  for i = 3, #check.planned do
    local name = check.planned[i]
    check[name](check)
  end
end

-- A custom dialogue: the file returns function(check); QUIT follows when it leaves the
-- session open.
local function custom_dialogue(path)
  local chunk, problem = loadfile(path, "t", setmetatable({}, { __index = _ENV }))
  if not chunk then smtp.raise("script", "cannot load the dialogue: " .. problem) end
  local fn = chunk()
  if type(fn) ~= "function" then smtp.raise("script", path .. " must return function(check)") end
  return function(check)
    fn(check)
    if check.session:info().open then check:quit() end
  end
end

-- Bad regexes are the user's mistake (UNKNOWN), found before any connection is made.
local function check_regexes()
  for _, name in ipairs({ "expect_banner", "reject" }) do
    if p[name] then
      local ok, err = pcall(smtp.match, { code = 220, text = "" }, p[name])
      if not ok then smtp.raise("script", name .. ": " .. (type(err) == "table" and err.message or tostring(err))) end
    end
  end
end

local function failure_fields(check, err)
  local failure = check.failure or {}
  if type(err) ~= "table" then return { failed_step = failure.phase, error_kind = "script", reason = tostring(err) } end
  return { failed_step = failure.phase, error_kind = err.kind or "script", reason = err.message or tostring(err) }
end

local function run(check)
  if check.target == "" then smtp.raise("usage", "no server: use --server HOST[:PORT]") end
  check_regexes()
  local dialogue = builtin_dialogue
  if p.dialogue then
    dialogue = custom_dialogue(p.dialogue)
    check.planned = { "dns", "connect" }
  else
    check.planned = plan()
  end
  check:dns()
  check:connect()
  dialogue(check)
end

local check = new_check(p.server or server or "")
-- A session the check leaves open (a failure, stop_after=connect) is closed when it ends.
local ok, err = pcall(run, check)

local result = check.result
result.planned = check.planned or {}
result.phases = check.phases
result.total_seconds = smtp.now() - check.started
if not ok then
  for key, value in pairs(failure_fields(check, err)) do result[key] = value end
end
return result
