-- Threads benchmark: work that is all smtpx's own, no server, so what --threads N gives shows
-- without the sink taking a core. Each run (one per --server; the name is not used) puts a
-- message through the default data path (CRLF line ends, dot-stuffing) `rounds` times.
--   smtpx run bench/encode.lua --threads 2 --server a --server b [--set rounds=40] [--set kib=1024]
local rounds = tonumber(params.rounds or 40)
local line = ".a line that starts with a dot, and a bare LF end\n"
local message = string.rep(line, (tonumber(params.kib or 1024) * 1024) // #line)
local bytes = 0
for _ = 1, rounds do bytes = bytes + #smtp.encode_data(message) end
return bytes > 0 and 0 or 1
