--- smtpx.cli: helpers for scripts run with `smtpx run`: reading --set options (lists, flags,
-- numbers, required ones), the password (from --set, an environment variable or a prompt),
-- headers given as --set header.NAME=VALUE, and printing per-recipient results.
--
-- @usage
-- local cli = require "smtpx.cli"
-- local p = params
-- local to = cli.list(cli.required(p, "to", "the recipient: --set to=ADDRESS[,ADDRESS...]"))
-- local password = cli.password(p, p.user)

local cli = {}

--- Exit code of a delivery that reached some recipients but not all (README.md).
cli.PARTIAL = 29

local TRUE = { ["1"] = true, yes = true, ["true"] = true, on = true }
local FALSE = { ["0"] = true, no = true, ["false"] = true, off = true, [""] = true }

--- A comma-separated option as a list ("a@x, b@x" -> {"a@x", "b@x"}); nil gives {}.
function cli.list(value)
  local list = {}
  for item in (value or ""):gmatch("[^,]+") do
    item = item:match("^%s*(.-)%s*$")
    if item ~= "" then table.insert(list, item) end
  end
  return list
end

--- A yes/no option: 1/yes/true/on or 0/no/false/off (any case); nil gives `default`.
-- @param value the option's text
-- @param default the value when the option is absent
-- @param name optional, for the message when the text is neither
function cli.flag(value, default, name)
  if value == nil then return default end
  local text = tostring(value):lower()
  if TRUE[text] then return true end
  if FALSE[text] then return false end
  smtp.raise("usage", string.format("%s must be 1/yes/true/on or 0/no/false/off, not %q", name or "option", value))
end

--- A number option; nil gives `default`.
function cli.number(value, default, name)
  if value == nil then return default end
  local number = tonumber(value)
  if not number then smtp.raise("usage", string.format("%s must be a number, not %q", name or "option", value)) end
  return number
end

--- The value of a required option, or a usage error (exit 2) that says how to give it.
-- @param p the params table
-- @param key the option name
-- @param hint what to tell the user ("the recipient: --set to=ADDRESS")
function cli.required(p, key, hint)
  local value = p[key]
  if value == nil or value == "" then
    smtp.raise("usage", "missing option " .. key .. ": " .. (hint or "--set " .. key .. "=..."))
  end
  return value
end

--- The server to talk to: --server HOST[:PORT] (smtpx run puts it in params.server) or
-- --set server=HOST[:PORT].
function cli.server(p)
  local target = p.server
  if not target then smtp.raise("usage", "no server: use --server HOST[:PORT]") end
  return target
end

--- The password, so it need not be typed into the shell history: --set password=... first,
-- then the environment variable named by --set password_env=NAME (default SMTPX_PASSWORD), then
-- a prompt on the terminal (echo off) when stdin is one.
-- @param p the params table
-- @param user the user name, shown in the prompt
-- @return the password; raises a usage error when there is none
function cli.password(p, user)
  if p.password then return p.password end
  local env_name = p.password_env or "SMTPX_PASSWORD"
  local from_env = os.getenv and os.getenv(env_name)
  if from_env then return from_env end
  local typed = smtp.prompt_secret(string.format("Password for %s: ", user or "the server"))
  if typed then return typed end
  smtp.raise("usage", "no password: set " .. env_name .. " in the environment, run on a terminal to be asked, "
    .. "or use --set password=... (it stays in the shell history)")
end

--- Headers given as --set header.NAME=VALUE, as a list {{"NAME", "VALUE"}, ...} sorted by name.
function cli.headers(p)
  local list = {}
  for key, value in pairs(p) do
    local name = key:match("^header%.(.+)$")
    if name then table.insert(list, { name, value }) end
  end
  table.sort(list, function(a, b) return a[1] < b[1] end)
  return list
end

--- Prints one line per recipient to stdout: "accepted|refused ADDRESS CODE ENHANCED TEXT".
-- @param results the `results` of send_message (or of the error it raised)
function cli.print_results(results)
  for _, r in ipairs(results or {}) do
    local text = (r.text or ""):gsub("\n", " | ")
    print(string.format("%-8s %s %d%s %s", r.ok and "accepted" or "refused", r.address, r.code,
      r.enhanced and " " .. r.enhanced or "", text))
  end
end

--- Runs c:send_message(spec) and prints the per-recipient results, also when it fails
-- because no recipient was accepted (then it raises that error again).
-- @return the send_message result
function cli.deliver(c, spec)
  local ok, result = pcall(c.send_message, c, spec)
  if not ok then
    if type(result) == "table" then cli.print_results(result.results) end
    error(result, 0)
  end
  cli.print_results(result.results)
  return result
end

--- 0 when every recipient was accepted, cli.PARTIAL when some were refused.
function cli.exit_code(result)
  return #result.refused > 0 and cli.PARTIAL or 0
end

return cli
