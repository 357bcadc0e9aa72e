--- smtpx.replay: plays the client side of a transcript and checks every server reply.
-- `smtpx replay` runs M.run once per transcript; scripts made by `smtpx convert --to lua` use
-- M.dialogue. Server lines are spelt as in a transcript (docs/transcripts.md):
--   "S: 250 Ok"  by the dialogue's rule (the reply code, unless match = "text")
--   "S= 250 Ok: queued as {{queue_id}}"  the text, with placeholders
--   "S~ 250 2\\.0\\.0 .*"  a regex searched in the text after the code
--   "S# 250"  the code only
-- The comparing and the filling in of placeholders is done by smtp.replay (ReplayLibrary.cpp).

local M = {}
local expand, check = smtp.replay.expand, smtp.replay.check

local Dialogue = {}
Dialogue.__index = Dialogue

--- A dialogue on an open session.
-- opts.match: "code" (default) or "text", what "S: " lines compare
-- opts.extras: "ignore" lets an EHLO reply offer more than the transcript recorded
-- opts.secrets: values of {{secret:NAME}} (else the environment's SMTPX_SECRET_NAME)
-- opts.rewrite: {{"old", "new"}, ...} replaced in every client and server line
function M.dialogue(session, opts)
  opts = opts or {}
  return setmetatable({
    session = session,
    captures = {},
    challenge = "",
    secrets = opts.secrets or {},
    match = opts.match,
    extras = opts.extras,
    rewrite = opts.rewrite or {},
  }, Dialogue)
end

--- Sends one client line, its placeholders filled in; a line holding a secret shows as "****"
-- in the transcript. QUIT half-closes the connection too (Exim answers it only then).
function Dialogue:send(template)
  local line, secret = expand(template, self)
  self.session:send(line, { secret = secret })
  if not secret and line:upper():match("^QUIT%s*$") then self.session:half_close() end
end

--- Waits for the next reply and compares it with `lines`.
-- opts.ehlo: compare the capabilities as a set (the reply to EHLO or LHLO)
-- Returns the reply and nil when it matches; the reply (nil when none came) and what differs otherwise.
function Dialogue:compare(lines, opts)
  local reply, _, message = self.session:next_reply()
  if not reply then
    return nil, string.format("expected \"%s\", but %s", lines[1]:sub(4), message)
  end
  if reply.code == 334 then self.challenge = reply.texts[1] or "" end
  return reply, check(lines, reply, self, opts)
end

--- Like compare, but a difference raises an "expect" error (exit code 5), as session:expect does.
function Dialogue:expect(lines, opts)
  local reply, problem = self:compare(lines, opts)
  if problem then smtp.raise("expect", problem, { reply = reply }) end
  return reply
end

--- Waits for the server to close the connection. Returns nil when it did, else what came instead.
function Dialogue:compare_close()
  local reply, kind, message = self.session:next_reply()
  if reply then return string.format("expected the server to close the connection, got \"%s\"", reply.lines[1]) end
  if kind ~= "eof" then return string.format("expected the server to close the connection, but %s", message) end
end

--- Like compare_close, but what comes instead raises an "expect" error.
function Dialogue:expect_close()
  local problem = self:compare_close()
  if problem then smtp.raise("expect", problem) end
end

local function wait_until(at_ms, started)
  local delay = started + at_ms / 1000 - smtp.now()
  if delay > 0 then smtp.sleep(delay) end
end

--- Replays a transcript as `smtpx replay` hands it over.
-- transcript: { name =, match =, extras =, steps = { {kind = "client", text =, line =, at =},
--   {kind = "reply", lines = {"S: ...", ...}, ehlo =, line =, at =}, {kind = "starttls", line =},
--   {kind = "close", line =} } }
--   (`at`: milliseconds since the recorded session began, when known)
-- opts: server, secrets, rewrite, match, extras (override the transcript's), pace (keep the
--   recorded gaps), keep_going (report every divergence, not just the first), tls (starttls options)
-- Raises a "replay" error (exit code 30) naming each divergence: step, transcript line, what differs.
function M.run(transcript, opts)
  local session = smtp.connect(opts.server)
  local dialogue = M.dialogue(session, {
    match = opts.match or transcript.match,
    extras = opts.extras or transcript.extras,
    secrets = opts.secrets,
    rewrite = opts.rewrite,
  })
  local diverged, started = {}, smtp.now()
  for number, step in ipairs(transcript.steps) do
    local reply, problem
    if step.kind == "client" then
      if opts.pace and step.at then wait_until(step.at, started) end
      dialogue:send(step.text)
    elseif step.kind == "reply" then
      reply, problem = dialogue:compare(step.lines, step)
    elseif step.kind == "close" then
      problem = dialogue:compare_close()
    elseif step.kind == "starttls" then
      session:starttls(opts.tls)
    end
    if problem then
      table.insert(diverged, string.format("step %d (%s line %d): %s", number, transcript.name, step.line, problem))
      if not (opts.keep_going and reply) then break end
    end
  end
  session:close()
  if #diverged > 0 then smtp.raise("replay", table.concat(diverged, "\n")) end
end

return M
