-- Unit tests of the stdlib helpers that need no server: base64 steps, SASL payloads (CRAM-MD5
-- against RFC 2195's example), capability parsing, MAIL/RCPT parameters, the CR/LF/NUL refusal,
-- dot-stuffing, RFC 2047 words and message building. Run: smtpx run tests/lua/test_stdlib.lua
-- Prints one line per failure and returns the number of failures (0: all passed).

local esmtp = require "smtpx.esmtp"
local sasl = require "smtpx.sasl"
local message = require "smtpx.message"
local cli = require "smtpx.cli"

local failures, checks = 0, 0

local function show(value)
  return type(value) == "string" and string.format("%q", value) or tostring(value)
end

local function eq(actual, expected, what)
  checks = checks + 1
  if actual ~= expected then
    failures = failures + 1
    print(string.format("FAIL %s: expected %s, got %s", what, show(expected), show(actual)))
  end
end

local function ok(condition, what)
  eq(not not condition, true, what)
end

-- Runs fn, which must raise an smtpx error of `kind` whose message contains `needle`.
local function raises(kind, needle, what, fn)
  local good, err = pcall(fn)
  ok(not good, what .. " raises")
  if good then return end
  eq(type(err) == "table" and err.kind, kind, what .. " kind")
  ok(tostring(err.message or err):find(needle, 1, true), what .. " message mentions " .. needle .. ": " .. tostring(err))
end

-- base64, as AUTH uses it
eq(smtp.base64_encode("\0testuser\0testpass"), "AHRlc3R1c2VyAHRlc3RwYXNz", "base64 of a PLAIN message")
eq(smtp.base64_encode(""), "", "base64 of nothing")
eq(smtp.base64_encode(string.rep("x", 300)):find("[\r\n]"), nil, "base64 has no line breaks")
eq(smtp.base64_decode("VXNlcm5hbWU6"), "Username:", "LOGIN user prompt")
eq(smtp.base64_decode("UGFzc3dvcmQ6"), "Password:", "LOGIN password prompt")
local decoded, problem = smtp.base64_decode("not base64!")
eq(decoded, nil, "bad base64 gives nil")
ok(problem and problem:find("base64"), "bad base64 gives a reason")

-- SASL
eq(sasl.plain("testuser", "testpass"), "AHRlc3R1c2VyAHRlc3RwYXNz", "PLAIN")
eq(smtp.base64_decode(sasl.plain("u", "p", "admin")), "admin\0u\0p", "PLAIN with authzid")
-- RFC 2195 section 2: user tim, secret tanstaaftanstaaf
local challenge = smtp.base64_encode("<1896.697170952@postoffice.reston.mci.net>")
eq(challenge, "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+", "RFC 2195 challenge")
eq(smtp.hmac_md5("tanstaaftanstaaf", "<1896.697170952@postoffice.reston.mci.net>"),
  "b913a602c7eda7a495b4e6e7334d3890", "RFC 2195 digest")
eq(sasl.cram_md5("tim", "tanstaaftanstaaf", challenge), "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw",
  "RFC 2195 response")
eq(sasl.cram_md5("tim", "x", "@@@"), nil, "CRAM-MD5 with a bad challenge")
eq(sasl.check_login_prompt("VXNlcm5hbWU6", "Username:"), true, "LOGIN user prompt accepted")
eq(sasl.check_login_prompt(smtp.base64_encode("username:"), "Username:"), true, "prompt compared without case")
eq(sasl.check_login_prompt("VXNlciBOYW1lAA==", "Username:"), true, "the draft's 'User Name\\0' prompt")
eq(sasl.check_login_prompt(smtp.base64_encode("Password\0"), "Password:"), true, "the draft's 'Password\\0' prompt")
eq(sasl.check_login_prompt(smtp.base64_encode("Login:"), "Username:"), nil, "an unknown prompt")
local good_prompt, got = sasl.check_login_prompt("UGFzc3dvcmQ6", "Username:")
eq(good_prompt, nil, "password prompt where the user prompt belongs")
eq(got, '"Password:"', "the wrong prompt is reported")
eq(smtp.base64_decode(sasl.xoauth2("me@x", "tok")), "user=me@x\1auth=Bearer tok\1\1", "XOAUTH2")
eq(sasl.choose({ PLAIN = true, LOGIN = true, ["CRAM-MD5"] = true }), "CRAM-MD5", "strongest first")
eq(sasl.choose({ LOGIN = true, PLAIN = true }), "PLAIN", "PLAIN over LOGIN")
eq(sasl.choose({ LOGIN = true }), "LOGIN", "LOGIN alone")
eq(sasl.choose({ GSSAPI = true }), nil, "nothing known")
eq(sasl.choose({ XOAUTH2 = true, PLAIN = true }), "PLAIN", "XOAUTH2 only with a token")
eq(sasl.choose({ XOAUTH2 = true, PLAIN = true }, { token = "t" }), "XOAUTH2", "XOAUTH2 with a token")

-- Capabilities
local caps = esmtp.parse_capabilities {
  lines = { "250-mx.example.com Hello there", "250-PIPELINING", "250-SIZE 20971520", "250-auth plain LOGIN cram-md5",
            "250-AUTH=LOGIN XOAUTH2", "250-8BITMIME", "250-ENHANCEDSTATUSCODES", "250-DSN", "250-SMTPUTF8",
            "250-STARTTLS", "250-PARAMS shadowing", "250 CHUNKING" },
}
eq(caps.domain, "mx.example.com", "greeting domain")
eq(caps.size, 20971520, "SIZE limit")
ok(caps.pipelining and caps.starttls and caps["8bitmime"] and caps.smtputf8 and caps.chunking and caps.dsn
  and caps.enhancedstatuscodes, "flags")
ok(caps.auth.PLAIN and caps.auth.LOGIN and caps.auth["CRAM-MD5"] and caps.auth.XOAUTH2, "AUTH mechanisms, both forms")
eq(caps.names[1], "PIPELINING", "names in order")
eq(#caps.names, 10, "each keyword named once (AUTH twice)")
eq(type(caps.params), "table", "a PARAMS keyword does not clobber caps.params")
eq(caps.params.SIZE, "20971520", "parameters kept")
eq(caps.esmtp, true, "EHLO reply is ESMTP")
eq(esmtp.parse_capabilities({ "x", "SIZE" }).size, 0, "SIZE without a limit")
eq(esmtp.parse_capabilities({ "x" }).size, nil, "no SIZE")
eq(next(esmtp.parse_capabilities({ "x" }).auth), nil, "no AUTH: empty set")
eq(esmtp.no_capabilities({ texts = { "mx hi" } }).esmtp, false, "HELO: no ESMTP")

-- MAIL and RCPT
eq(esmtp.mail_command("a@x"), "MAIL FROM:<a@x>", "MAIL")
eq(esmtp.mail_command(""), "MAIL FROM:<>", "null sender")
eq(esmtp.mail_command("a@x", { size = 1234, body = "8bitmime", smtputf8 = true, ret = "hdrs", envid = "id+1=2 3" }),
  "MAIL FROM:<a@x> SIZE=1234 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=id+2B1+3D2+203", "MAIL parameters")
eq(esmtp.rcpt_command("b@x", { notify = "success, failure", orcpt = "b+1@x" }),
  "RCPT TO:<b@x> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+2B1@x", "RCPT parameters")
eq(esmtp.rcpt_command("b@x", { notify = { "NEVER" }, orcpt = "utf-8;b@x" }), "RCPT TO:<b@x> NOTIFY=NEVER ORCPT=utf-8;b@x",
  "NOTIFY list, ORCPT with its type")
eq(esmtp.xtext("a+b=c d\1é"), "a+2Bb+3Dc+20d+01+C3+A9", "xtext")
raises("script", "CR", "CR in MAIL", function() esmtp.mail_command("a@x>\r\nRCPT TO:<b@x") end)
raises("script", "LF", "LF in RCPT", function() esmtp.rcpt_command("b@x\nDATA") end)
raises("script", "NUL", "NUL in RCPT", function() esmtp.rcpt_command("b@x\0") end)
raises("script", "CR", "CR in ENVID", function() esmtp.mail_command("a@x", { envid = "x\ry" }) end)
raises("script", "spaces", "space in a raw parameter", function() esmtp.mail_command("a@x", { params = { "A=1 B" } }) end)
raises("script", "NOTIFY", "bad NOTIFY", function() esmtp.rcpt_command("b@x", { notify = "SOMETIMES" }) end)
raises("script", "NEVER", "NEVER with others", function() esmtp.rcpt_command("b@x", { notify = "NEVER,SUCCESS" }) end)
raises("script", "RET", "bad RET", function() esmtp.mail_command("a@x", { ret = "ALL" }) end)
raises("script", "empty", "empty recipient", function() esmtp.rcpt_command("") end)
raises("script", "string", "a number address", function() esmtp.rcpt_command(5) end)

-- DATA encoding (the bytes session:send_data puts on the wire)
eq(smtp.encode_data(".\n..\n.leading\nplain"), "..\r\n...\r\n..leading\r\nplain\r\n.\r\n", "dot-stuffing")
eq(smtp.encode_data("a\rb\nc\r\nd\r\n"), "a\r\nb\r\nc\r\nd\r\n.\r\n", "bare CR and LF become CRLF")
eq(smtp.encode_data(""), ".\r\n", "empty message")
eq(smtp.crlf("a\rb\nc\r\n\r\rd"), "a\r\nb\r\nc\r\n\r\n\r\nd", "CRLF form")

-- RFC 2047
eq(smtp.encode_words("plain ASCII"), "plain ASCII", "ASCII stays")
local long = string.rep("Grüße, ", 20)
local words = smtp.encode_words(long)
local joined = {}
for line in (words .. "\r\n "):gmatch("(.-)\r\n ") do
  ok(#line <= 75, "encoded word of " .. #line .. " characters is at most 75")
  local text = smtp.base64_decode(line:match("^=%?UTF%-8%?B%?(.*)%?=$") or "")
  ok(text and utf8.len(text), "each word holds whole UTF-8 characters")
  table.insert(joined, text)
end
eq(table.concat(joined), long, "encoded words decode to the text")

-- Message building
local built = message.build {
  from = "Jörg Müller <joerg@example.com>", to = { "a@example.com", "Doe, John <b@example.com>" },
  cc = "c@example.com", subject = "Grüße", body = "line 1\nline 2\n",
  headers = { { "X-First", "1" }, ["X-Mailer"] = "smtpx", ["Subject"] = "Replaced ü" },
}
local head, body = built:match("^(.-)\r\n\r\n(.*)$")
ok(head, "headers and body are separated by a blank line")
ok(head:find("From: =?UTF-8?B?", 1, true) and head:find("<joerg@example.com>", 1, true), "display name encoded, address not")
ok(head:find('"Doe, John" <b@example.com>', 1, true), "a name with a comma is quoted")
ok(head:find("\r\nCc: c@example.com\r\n", 1, true), "Cc")
ok(head:find("\r\nDate: %a%a%a, %d%d %a%a%a %d%d%d%d %d%d:%d%d:%d%d %+0000\r\n"), "Date")
ok(head:find("\r\nMessage%-ID: <[^@>]+@example%.com>\r\n"), "Message-ID from the sender's domain")
ok(head:find("\r\nSubject: =?UTF-8?B?" .. smtp.base64_encode("Replaced ü") .. "?=", 1, true), "extra header replaces Subject")
local _, subjects = head:gsub("\r\nSubject:", "")
eq(subjects, 1, "one Subject")
ok(head:find("\r\nX%-First: 1\r\nX%-Mailer: smtpx\r\n"), "extra headers: list order, then map by name")
ok(head:find("\r\nMIME%-Version: 1%.0\r\n"), "MIME-Version")
eq(body, "line 1\r\nline 2\r\n", "body in CRLF form")
ok(not message.build({ to = "a@x", headers = { Date = false } }):find("\r\nDate:"), "false removes a header")
raises("script", "LF", "LF in a header", function() message.build { to = "a@x", subject = "x\nBcc: victim@x" } end)
raises("script", "header name", "bad header name", function() message.build { headers = { ["X Bad"] = "1" } } end)
local mixed = message.build { to = "a@x", body = "text", html = "<p>html</p>",
  attachments = { { data = "\0\1\2", name = "blob.bin" }, { data = "a,b", name = "t.csv" } } }
ok(mixed:find("Content%-Type: multipart/mixed; boundary="), "attachments make multipart/mixed")
ok(mixed:find("Content%-Type: multipart/alternative; boundary="), "text and html make multipart/alternative")
ok(mixed:find("Content%-Type: application/octet%-stream; name=blob%.bin"), "default attachment type")
ok(mixed:find("Content%-Type: text/csv; name=t%.csv"), "attachment type from the extension")
ok(mixed:find("\r\nAAEC\r\n", 1, true), "attachment in base64")
ok(message.build({ body = "Grüße\n" }):find("Content%-Transfer%-Encoding: quoted%-printable\r\n\r\nGr=C3=BC=C3=9Fe\r\n"),
  "8-bit body in quoted-printable")
ok(message.build({ body = "Grüße\n", encoding = "8bit" }):find("Content%-Transfer%-Encoding: 8bit\r\n\r\nGrüße\r\n"),
  "8bit when allowed")
eq(message.address_of("Name <a@x>"), "a@x", "address of a name-addr")
eq(message.address_of(" a@x "), "a@x", "address of a bare address")

-- Reply specs (smtp.match): every spec matches as written, whatever compiled specs are cached
local refused = { code = 550, text = "x 250" }
ok(smtp.match(refused, "a|250"), "a regex alone: any code, the text matches")
eq(smtp.match(refused, { 250, "a" }), nil, "a code and a regex: the code must match as well")
eq(smtp.match(refused, { "a|250", code = 551 }), nil, "a regex and a code field")
ok(smtp.match({ code = 251, text = "" }, { 250, 251 }), "a table of codes")
eq(smtp.match({ code = 252, text = "" }, { 250, 251 }), nil, "a table of codes, none matching")
eq(smtp.match({ code = 250, text = "Ok: queued as 4ABC" }, { 250, "queued as (\\w+)" })[1], "4ABC", "captures")
eq(smtp.describe({ 250, 251 }), "250 or 251", "a spec described")

-- Script options
eq(table.concat(cli.list(" a@x, b@x ,,c@x"), "|"), "a@x|b@x|c@x", "list option")
eq(#cli.list(nil), 0, "absent list")
eq(cli.flag("Yes"), true, "flag yes")
eq(cli.flag("0"), false, "flag 0")
eq(cli.flag(nil, true), true, "flag default")
eq(cli.number("2.5", 1), 2.5, "number option")
eq(cli.number(nil, 7), 7, "number default")
raises("usage", "a number", "bad number", function() cli.number("ten", 1, "limit") end)
raises("usage", "maybe", "bad flag", function() cli.flag("maybe", false, "pipelining") end)
raises("usage", "missing option to", "required option", function() cli.required({}, "to") end)
eq(cli.headers({ ["header.X-B"] = "2", ["header.X-A"] = "1", to = "x" })[1][1], "X-A", "headers from options")
eq(cli.password({ password = "p" }), "p", "password from --set")

print(string.format("%d checks, %d failures", checks, failures))
return failures
