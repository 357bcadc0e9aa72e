--- smtpx.sasl: the SASL payloads of SMTP AUTH (RFC 4954), without I/O: PLAIN (RFC 4616),
-- LOGIN (the de-facto "Username:"/"Password:" exchange), CRAM-MD5 (RFC 2195, HMAC from POCO)
-- and XOAUTH2 (Google/Microsoft bearer tokens). smtpx.client drives the dialogue with these.
--
-- @usage
-- local sasl = require "smtpx.sasl"
-- s:send("AUTH PLAIN " .. sasl.plain("user", "secret"), { secret = true })

local sasl = {}

--- Mechanisms smtpx picks by itself, strongest first (XOAUTH2 needs a token, so only by name).
sasl.PREFERENCE = { "CRAM-MD5", "PLAIN", "LOGIN" }

--- The PLAIN message: base64 of authzid NUL user NUL password.
-- @param user the authentication identity
-- @param password the password
-- @param authzid optional identity to act as (default: none)
function sasl.plain(user, password, authzid)
  return smtp.base64_encode((authzid or "") .. "\0" .. user .. "\0" .. password)
end

--- LOGIN's prompts as most servers send them (VXNlcm5hbWU6 and UGFzc3dvcmQ6).
sasl.LOGIN_PROMPTS = { user = "Username:", password = "Password:" }

-- LOGIN has no RFC: Postfix and Exim say "Username:"/"Password:", while the old draft
-- (draft-murchison-sasl-login) and aiosmtpd say "User Name\0"/"Password\0". What matters is
-- telling the two prompts apart, so case, spaces, a colon and a trailing NUL do not count.
local function prompt_key(text)
  return (text:lower():gsub("[%s:%z]", ""))
end

--- Decodes a LOGIN prompt (the text of a 334 reply) and checks it is the one expected.
-- @param text the base64 text after "334 "
-- @param expected "Username:" or "Password:"
-- @return true, or nil and the decoded prompt (or a reason) when it is something else
function sasl.check_login_prompt(text, expected)
  local decoded, problem = smtp.base64_decode(text)
  if not decoded then return nil, problem end
  if prompt_key(decoded) ~= prompt_key(expected) then return nil, string.format("%q", decoded) end
  return true
end

--- The CRAM-MD5 response: base64 of user SPACE hex(HMAC-MD5(password, challenge)).
-- @param user the user name
-- @param password the shared secret
-- @param challenge_b64 the base64 text of the server's 334 reply
-- @return the response, or nil and a reason when the challenge is not base64
function sasl.cram_md5(user, password, challenge_b64)
  local challenge, problem = smtp.base64_decode(challenge_b64)
  if not challenge then return nil, problem end
  return smtp.base64_encode(user .. " " .. smtp.hmac_md5(password, challenge))
end

--- The XOAUTH2 initial response: base64 of "user=" user ^A "auth=Bearer " token ^A ^A.
function sasl.xoauth2(user, token)
  return smtp.base64_encode("user=" .. user .. "\1auth=Bearer " .. token .. "\1\1")
end

--- Picks the strongest mechanism in sasl.PREFERENCE that the server offers.
-- @param offered set of mechanism names (caps.auth)
-- @param opts optional: token (when set and XOAUTH2 is offered, XOAUTH2 wins)
-- @return the name, or nil when the server offers none of them
function sasl.choose(offered, opts)
  if opts and opts.token and offered.XOAUTH2 then return "XOAUTH2" end
  for _, name in ipairs(sasl.PREFERENCE) do
    if offered[name] then return name end
  end
end

return sasl
