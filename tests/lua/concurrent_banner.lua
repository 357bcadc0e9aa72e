-- One short dialogue: banner, QUIT. Run once per --server to test concurrency.
local s = smtp.connect(server)
s:expect(220)
s:send("QUIT")
s:expect(221)
