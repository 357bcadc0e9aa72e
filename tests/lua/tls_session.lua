--- tls_session: one SMTP session over TLS for the TLS integration tests.
-- params.mode  "starttls" (default): EHLO, STARTTLS, the handshake, EHLO again inside TLS;
--              "implicit": TLS from the first byte (SMTPS), then EHLO.
-- params.to    when set, also sends a short message to this address inside TLS.
-- Prints the TLS facts (session:tls_info()) on stdout, one "key=value" line each, sorted; sans
-- are joined with ",". The TLS options come from the command line (--tls-ca-file, --insecure...).
local mode = params.mode or "starttls"
local s
if mode == "implicit" then
  s = smtp.connect(server, { tls = true })
  s:expect(220)
else
  s = smtp.connect(server)
  s:expect(220)
  s:send("EHLO client.testbed.local")
  s:expect(250)
  s:send("STARTTLS")
  s:expect(220)
  s:starttls()
end

local info = s:tls_info()
local keys = {}
for key in pairs(info) do keys[#keys + 1] = key end
table.sort(keys)
for _, key in ipairs(keys) do
  local value = info[key]
  if type(value) == "table" then value = table.concat(value, ",") end
  print(key .. "=" .. tostring(value))
end

s:send("EHLO client.testbed.local")
s:expect(250)
if params.to then
  s:send("MAIL FROM:<sender@testbed.local>")
  s:expect(250)
  s:send("RCPT TO:<" .. params.to .. ">")
  s:expect(250)
  s:send("DATA")
  s:expect(354)
  s:send_data("Subject: sent over TLS (" .. mode .. ")\r\n\r\nHello inside TLS.\r\n")
  s:expect(250)
end
s:send("QUIT")
s:expect(221)
