-- Exercises session:expect against a real Postfix: codes, classes, code lists, regexes with
-- captures, code+regex, branch tables, session-wide handlers, timeout and eof branches.
-- Fails (raises) on the first thing that is not as it should be.
local function check(cond, what)
  if not cond then error("check failed: " .. what, 2) end
end

local s = smtp.connect(server)

-- A regex with a capture, searched in the banner text.
local banner = s:expect({ 220, "^(\\S+) ESMTP" })
check(banner.code == 220, "banner code")
check(banner.captures[1] == "postfix.testbed.local", "banner capture: " .. tostring(banner.captures[1]))
check(banner.elapsed >= 0, "elapsed")

-- A multi-line reply is one reply: every line, "^" matching at each line.
s:send("EHLO client.testbed.local")
local ehlo = s:expect({ "2xx", "^SIZE (\\d+)$" })
check(rawget(ehlo, "lines") == nil and rawget(ehlo, "texts") == nil, "lines and texts are made on first use")
check(#ehlo.lines >= 5, "EHLO has all its lines: " .. #ehlo.lines)
check(#ehlo.texts == #ehlo.lines and ehlo.texts[2] == ehlo.lines[2]:sub(5), "EHLO texts: " .. ehlo.texts[2])
check(ehlo.lines[1] == "250-postfix.testbed.local", "first EHLO line: " .. ehlo.lines[1])
check(tonumber(ehlo.captures[1]) > 1000000, "SIZE capture")
check(ehlo.texts[#ehlo.texts] ~= nil, "texts")

-- Enhanced status codes are split out.
s:send("MAIL FROM:<sender@testbed.local>")
local mail = s:expect("25x")
check(mail.enhanced == "2.1.0", "enhanced code: " .. tostring(mail.enhanced))
check(mail.text == "Ok", "text without codes: " .. mail.text)

-- A one-line reply too makes its lines and texts when first read; pairs shows them before that.
check(rawget(mail, "lines") == nil, "a one-line reply's lines are made on first use")
local fields = {}
for key in pairs(mail) do fields[key] = true end
check(fields.lines and fields.texts and not fields[0], "pairs shows lines and texts, not the lines in waiting")
check(mail.lines[1] == "250 2.1.0 Ok" and #mail.lines == 1, "lines: " .. table.concat(mail.lines, "|"))
check(mail.texts[1] == "Ok" and #mail.texts == 1, "texts: " .. table.concat(mail.texts, "|"))
check(rawget(mail, 0) == nil, "no lines in waiting once they are made")
check(not pcall(setmetatable, mail, {}), "a reply's metatable is protected")

-- Branch tables: the first matching branch runs and its result is expect's result.
s:send("RCPT TO:<refused@example.com>")
local which = s:expect {
  { 250, function() return "accepted" end },
  { "5xx", "Recipient address rejected", function(reply) return "refused " .. reply.code end },
}
check(which == "refused 550", "branch result: " .. tostring(which))

-- A code list.
s:send("RCPT TO:<core-expect@example.com>")
local rcpt = s:expect({ 250, 251 })
check(rcpt.code == 250, "code list")

-- A reply as smtp.raise's extra fields: the error gets its lines, not the lines in waiting.
local raised, extra = pcall(smtp.raise, "custom", "with the reply's fields", rcpt)
check(not raised and extra.kind == "custom", "raise kind")
check(extra.lines and extra.lines[1] == "250 2.1.5 Ok" and extra.texts[1] == "Ok" and extra[0] == nil,
  "raise with a reply: " .. tostring(extra.lines and extra.lines[1]))

-- A mismatch raises an error object with kind, expected and the reply.
s:send("NOOP")
local ok, err = pcall(s.expect, s, 354)
check(not ok and err.kind == "expect", "mismatch kind")
check(err.code == 250 and err.expected == "354", "mismatch fields")
check(tostring(err):find("expected 354, but the server said: 250 2.0.0 Ok", 1, true), "mismatch message: " .. tostring(err))

-- Session-wide handlers run before the expect's own branches (Expect's expect_before).
local seen
s:on("5xx", function(reply) seen = reply.code; return "handled" end)
s:send("NO-SUCH-COMMAND")
check(s:expect(250) == "handled" and seen == 500, "session-wide handler: " .. tostring(seen))

-- A timeout branch: nothing was sent, so nothing comes back within 0.3 s.
local t = s:expect({ { 250, function() return "reply" end }, timeout = function() return "timed out" end },
  { timeout = 0.3 })
check(t == "timed out", "timeout branch: " .. tostring(t))

-- QUIT, then the eof branch once the server has closed.
s:send("QUIT")
s:expect(221)
local e = s:expect({ { 250, function() end }, eof = function(_, _, message) return message end })
check(e == "connection closed by server", "eof branch: " .. tostring(e))
return 0
