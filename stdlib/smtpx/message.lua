--- smtpx.message: builds RFC 5322 messages to send with smtpx.client.
-- From, To, Cc, Subject, Date and Message-ID are filled in; non-ASCII header text becomes RFC
-- 2047 encoded words (only the display names of addresses); the body comes from a string, a
-- file or stdin; HTML alternatives and attachments make a MIME message (built by POCO's
-- MailMessage through smtp.mime_message).
--
-- @usage
-- local message = require "smtpx.message"
-- local text = message.build {
--   from = "Jörg <joerg@example.com>", to = { "a@example.com", "b@example.com" },
--   subject = "Grüße", body = "Hallo!\n",
--   attachments = { { path = "report.pdf" } },
--   headers = { ["X-Mailer"] = "smtpx" },
-- }

local esmtp = require "smtpx.esmtp"

local message = {}

-- Headers whose values are address lists: only display names are encoded there (RFC 2047 5.3).
local ADDRESS_HEADERS = { from = true, to = true, cc = true, bcc = true, ["reply-to"] = true, sender = true }

--- Content types by file name extension, for attachments that do not name one.
message.CONTENT_TYPES = {
  txt = "text/plain", csv = "text/csv", html = "text/html", htm = "text/html", xml = "application/xml",
  json = "application/json", pdf = "application/pdf", zip = "application/zip", gz = "application/gzip",
  png = "image/png", jpg = "image/jpeg", jpeg = "image/jpeg", gif = "image/gif", svg = "image/svg+xml",
  ics = "text/calendar", eml = "message/rfc822",
}

--- The current time (or `time`) as an RFC 5322 date in UTC.
-- @usage message.date() --> "Tue, 24 Nov 2026 15:16:50 +0000"
function message.date(time)
  return os.date("!%a, %d %b %Y %H:%M:%S +0000", time)
end

--- A new Message-ID, "<time.random@domain>".
-- @param domain optional (default "smtpx.invalid")
function message.message_id(domain)
  return string.format("<%s.%06x%06x@%s>", os.date("!%Y%m%d%H%M%S"), math.random(0, 0xffffff),
    math.random(0, 0xffffff), domain or "smtpx.invalid")
end

--- The bare address of "Name <addr>" or "addr".
function message.address_of(text)
  return text:match("<([^<>]*)>%s*$") or text:match("^%s*(.-)%s*$")
end

local function quote_phrase(name)
  if name:find('^".*"$') then return name end
  if not name:find('[()<>%[%]:;@\\,."]') then return name end
  return '"' .. name:gsub('[\\"]', "\\%0") .. '"'
end

--- One address for a header: "Name <addr>" with the name encoded (RFC 2047) or quoted as
-- needed; a bare address stays as it is.
function message.format_address(text)
  local name, address = text:match("^%s*(.-)%s*<([^<>]*)>%s*$")
  if not name then return (text:match("^%s*(.-)%s*$")) end
  if name == "" then return "<" .. address .. ">" end
  local encoded = smtp.encode_words(name)
  return (encoded ~= name and encoded or quote_phrase(name)) .. " <" .. address .. ">"
end

local function as_list(value)
  if type(value) == "table" then return value end
  return { value }
end

--- A header value ready to write: address lists formatted, other text RFC 2047-encoded when it
-- is not printable ASCII. Refuses CR, LF and NUL (header injection).
-- @param name the header name
-- @param value a string, or a list of addresses for an address header
function message.header_value(name, value)
  if ADDRESS_HEADERS[name:lower()] then
    local formatted = {}
    for i, address in ipairs(as_list(value)) do
      formatted[i] = message.format_address(esmtp.check_arg(address, name .. " address"))
    end
    return table.concat(formatted, ",\r\n ")
  end
  return smtp.encode_words(esmtp.check_arg(value, name .. " header"))
end

-- An ordered header list with case-insensitive replacement.
local function header_list()
  local list, index = {}, {}
  local function put(name, value)
    esmtp.check_arg(name, "header name")
    if not name:find("^[!-9;-~]+$") then smtp.raise("script", string.format("bad header name %q", name)) end
    local key = name:lower()
    if value == false then
      if index[key] then list[index[key]].removed = true end
      return
    end
    local entry = { name, message.header_value(name, value) }
    if index[key] then
      list[index[key]] = entry
    else
      table.insert(list, entry)
      index[key] = #list
    end
  end
  local function result()
    local out = {}
    for _, entry in ipairs(list) do
      if not entry.removed then table.insert(out, entry) end
    end
    return out
  end
  return put, result
end

--- The contents of a file ("-" for stdin), read as bytes.
function message.read_file(path)
  if path == "-" then return io.stdin:read("a") end
  if not io.open then smtp.raise("script", "reading " .. path .. " needs file access (not with --sandbox)") end
  local file, problem = io.open(path, "rb")
  if not file then smtp.raise("script", "cannot read " .. problem) end
  local text = file:read("a")
  file:close()
  return text
end

local function content_type_of(path)
  local extension = (path or ""):match("%.([%w]+)$")
  return extension and message.CONTENT_TYPES[extension:lower()] or "application/octet-stream"
end

local function attachment_list(attachments)
  local list = {}
  for i, item in ipairs(attachments or {}) do
    if type(item) == "string" then item = { path = item } end
    list[i] = {
      path = item.path,
      data = item.data,
      name = item.name,
      content_type = item.content_type or content_type_of(item.name or item.path),
    }
  end
  return list
end

-- {["X-A"] = "1"} or {{"X-A", "1"}, ...}: list entries keep their order, map entries are sorted.
local function extra_headers(headers)
  local list = {}
  for _, entry in ipairs(headers or {}) do table.insert(list, entry) end
  local names = {}
  for name in pairs(headers or {}) do
    if type(name) == "string" then table.insert(names, name) end
  end
  table.sort(names)
  for _, name in ipairs(names) do table.insert(list, { name, headers[name] }) end
  return list
end

local function domain_of(from)
  local address = from and message.address_of(as_list(from)[1])
  return address and address:match("@([^@>]+)$")
end

--- Builds a whole message.
-- @param spec from, to (address or list), cc, reply_to, subject, date, message_id;
--   body (text) or body_file (path, "-" for stdin); html or html_file (an HTML alternative);
--   attachments (list of paths or {path=, data=, name=, content_type=}); headers (extra
--   headers, {["Name"] = value} or {{"Name", value}, ...}; they replace headers of the same
--   name, false removes one); encoding (body transfer encoding: "auto" (7bit or
--   quoted-printable), "8bit", "quoted-printable", "base64"); charset (default "UTF-8")
-- @return the message text with CRLF line ends (headers, blank line, body)
function message.build(spec)
  local put, headers = header_list()
  if spec.from then put("From", spec.from) end
  if spec.to then put("To", spec.to) end
  if spec.cc then put("Cc", spec.cc) end
  if spec.reply_to then put("Reply-To", spec.reply_to) end
  if spec.subject then put("Subject", spec.subject) end
  put("Date", spec.date or message.date())
  put("Message-ID", spec.message_id or message.message_id(domain_of(spec.from)))
  for _, entry in ipairs(extra_headers(spec.headers)) do put(entry[1], entry[2]) end
  local body = spec.body
  if body == nil and spec.body_file then body = message.read_file(spec.body_file) end
  local html = spec.html
  if html == nil and spec.html_file then html = message.read_file(spec.html_file) end
  return smtp.mime_message {
    headers = headers(),
    text = body,
    html = html,
    attachments = attachment_list(spec.attachments),
    encoding = spec.encoding,
    charset = spec.charset,
  }
end

return message
