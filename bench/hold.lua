-- Scale benchmark: opens `sessions` sessions against a server that keeps them open, waits until
-- all are idle after EHLO, reports memory per idle session, then closes them all and checks that
-- file descriptors and memory come back. A second round does it all again: memory that a round
-- leaves behind would show as growth after it.
--   smtpx run bench/hold.lua --server HOST:PORT --set sessions=10000 [--set burst=500]
local n = tonumber(params.sessions or 10000)
-- Sessions connect in bursts: 10,000 SYNs at once overflow the server's accept queue
-- (somaxconn), and the kernel then drops connections the client believes are open.
local burst = tonumber(params.burst or 500)

collectgarbage()
local base = smtp.process_stats()
local failed = 0

-- One round: every session open and idle, then all closed. Returns the seconds it took them all
-- to open, and the process stats while they were open and after they had closed.
local function round()
  local connected, release = 0, false
  -- One task that ends on release: every session joins it instead of polling a flag.
  local gate = smtp.spawn(function() while not release do smtp.sleep(0.05) end end)

  local function session()
    local ok, err = pcall(function()
      local s = smtp.connect(server, { timeout = 60, connect_timeout = 60 })
      s:expect(220)
      s:send("EHLO hold")
      s:expect("2xx")
      connected = connected + 1
      smtp.join(gate)
      s:send("QUIT")
      s:expect(221)
      s:close()
    end)
    if not ok then
      failed = failed + 1
      connected = connected + 1
      io.stderr:write(tostring(err), "\n")
    end
  end

  local started = smtp.now()
  local tasks = {}
  for i = 1, n do
    tasks[i] = smtp.spawn(session)
    if i % burst == 0 then
      while connected < i do smtp.sleep(0.005) end
    end
  end
  while connected < n do smtp.sleep(0.01) end
  local all_open = smtp.now() - started
  collectgarbage()
  local peak = smtp.process_stats()
  release = true
  for _, t in ipairs(tasks) do smtp.join(t) end
  tasks = nil
  collectgarbage()
  collectgarbage()
  smtp.sleep(0.1)  -- freed sessions are deleted from the loop
  return all_open, peak, smtp.process_stats()
end

local all_open, peak, after = round()
local _, _, after_again = round()
print(string.format(
  "sessions=%d failed=%d open_seconds=%.2f base_rss_kib=%d peak_rss_kib=%d per_session_kib=%.1f after_rss_kib=%d " ..
  "again_rss_kib=%d base_fds=%d peak_fds=%d after_fds=%d again_fds=%d",
  n, failed, all_open, base.rss_kib, peak.rss_kib, (peak.rss_kib - base.rss_kib) / n, after.rss_kib,
  after_again.rss_kib, base.open_fds, peak.open_fds, after.open_fds, after_again.open_fds))
return failed == 0 and 0 or 1
