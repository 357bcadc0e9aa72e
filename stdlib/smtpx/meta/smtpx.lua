---@meta
-- Type annotations of smtpx's Lua API for the Lua language server (LuaLS, EmmyLua): completion,
-- hover and type checks in an editor. Never run: smtpx defines all of this itself. Point the
-- editor at this directory with a .luarc.json: { "workspace.library": ["<...>/stdlib/smtpx/meta"] }
-- (README.md, "Editor support"). Reference: docs/lua-api.md, docs/tls.md, docs/stdlib.md.

---------------------------------------------------------------------------------------------------
-- What a script sees
---------------------------------------------------------------------------------------------------

---The `--set KEY=VALUE` pairs, all strings; `params.server` is the server too. Also the script's `...`.
---@type table<string, string>
params = {}

---The `--server` this run is for (`"127.0.0.1:2525"`, `"[::1]:25"`), or nil.
---@type string?
server = nil

---A reply spec: a code (`250`), a pattern (`"2xx"`, `"x50"`), a regex (`"^SIZE (\\d+)"`), a list
---of codes (`{250, 251}`), code AND regex (`{250, "^ok"}` or `{code = 250, re = "..."}`).
---@alias smtpx.Spec integer|string|table

---@alias smtpx.ErrorKind "expect"|"timeout"|"eof"|"protocol"|"connect"|"tls"|"script"|"usage"|"limit"|"replay"|string

---@alias smtpx.Phase "banner"|"ehlo"|"starttls"|"auth"|"mail"|"rcpt"|"data"|"dot"|"quit"

---One whole server reply, every continuation line read.
---@class smtpx.Reply
---@field code integer the reply code (250)
---@field enhanced string? the enhanced status code ("2.1.0"), or nil
---@field lines string[] the raw lines ("250-SIZE 1000")
---@field texts string[] each line's text without code and enhanced code
---@field text string the texts joined with "\n"
---@field captures string[] the groups of the regex that matched
---@field elapsed number seconds from the client's last write

---An smtpx error: `tostring(err)` gives `where message`. Catch it with `pcall`.
---@class smtpx.Error
---@field kind smtpx.ErrorKind what went wrong; sets the exit code (expect 5, timeout 6, eof 7, ...)
---@field message string
---@field where string the script line ("send.lua:12:")
---@field phase smtpx.Phase? the stdlib step that failed (exit codes 20-28)
---@field exit integer? an explicit exit code
---@field code integer? the code of the reply that ended the step
---@field enhanced string? its enhanced code
---@field reply smtpx.Reply? that reply
---@field results smtpx.RecipientResult[]? send_message with no recipient accepted

---TLS options of `session:starttls` and `smtp.connect(target, {tls = ...})`; each one left out
---comes from the command line (`--tls-*`), then from the default.
---@class smtpx.TlsOptions
---@field ca_file string? trust the CA certificates in this PEM file instead of the system's
---@field ca_dir string? trust those in this hashed directory (openssl rehash) instead
---@field cert string? client certificate (PEM)
---@field key string? its private key (default: in `cert`)
---@field min_version "1.2"|"1.3"|nil lowest protocol version (1.2)
---@field ciphers string? OpenSSL cipher list and/or TLS 1.3 suites, ":"-separated
---@field server_name string? the name sent as SNI and checked (default: the host connected to)
---@field insecure boolean? go on whatever the certificate; its faults are still reported
---@field timeout number? (starttls only) seconds for the handshake

---The facts of a TLS session.
---@class smtpx.TlsInfo
---@field version string "TLSv1.3"
---@field cipher string "TLS_AES_256_GCM_SHA384"
---@field server_name string the name the certificate was checked against
---@field subject string the server certificate's subject
---@field issuer string its issuer
---@field sans string[] its subjectAltName DNS names and IP addresses
---@field not_before integer validity start, Unix time
---@field not_after integer validity end, Unix time
---@field days_left integer whole days from the handshake to not_after; negative once expired
---@field sha256 string SHA-256 fingerprint of the certificate (DER), lower-case hex
---@field verified boolean chain, dates and host name all passed
---@field verify_error string? why not, only when verified is false

---@class smtpx.ConnectOptions
---@field timeout number? seconds each expect waits for a whole reply (--timeout)
---@field connect_timeout number? seconds for each address tried (--timeout)
---@field tls boolean|smtpx.TlsOptions|nil implicit TLS from the first byte (port 465)

---@class smtpx.SendOptions
---@field secret boolean? show the line as **** in every transcript
---@field raw boolean? send the bytes exactly as given, without CRLF

---@class smtpx.SendDataOptions
---@field raw boolean? send the text exactly as given (it carries its own CRLF.CRLF)
---@field quiet boolean? keep the body out of the transcript

---@class smtpx.ExpectOptions
---@field timeout number? seconds for this reply, instead of the session's

---Branches, as in Expect: `{spec..., function(reply, session)}` entries, plus `timeout`, `eof`
---and `protocol` functions called with `(nil, session, message)`.
---@class smtpx.Branches
---@field timeout fun(reply: nil, session: smtpx.Session, message: string): ...?
---@field eof fun(reply: nil, session: smtpx.Session, message: string): ...?
---@field protocol fun(reply: nil, session: smtpx.Session, message: string): ...?

---@class smtpx.SessionInfo
---@field peer string "127.0.0.1:2525"
---@field local_address string
---@field open boolean
---@field queued_replies integer replies read but not yet expected

---A connection to a server, from `smtp.connect`.
---@class smtpx.Session
local Session = {}

---Sends `line` followed by CRLF. A line holding CR, LF or NUL is refused unless `opts.raw`.
---@param line string
---@param opts smtpx.SendOptions?
function Session:send(line, opts) end

---Sends a message after 354: CRLF line ends, dot-stuffed, the final "." line added.
---@param text string
---@param opts smtpx.SendDataOptions?
function Session:send_data(text, opts) end

---Waits for the next whole reply and matches it; with branches, returns the branch's results.
---Raises kind expect (exit 5), timeout (6), eof (7) or protocol (9).
---@param spec smtpx.Spec|smtpx.Branches
---@param opts smtpx.ExpectOptions?
---@return smtpx.Reply|any
function Session:expect(spec, opts) end

---A session-wide handler checked before every later expect's own branches.
---@param what smtpx.Spec|"eof"|"timeout"|"protocol"
---@param fn fun(reply: smtpx.Reply?, session: smtpx.Session, message: string?): ...
function Session:on(what, fn) end

---`send(line, opts)` then `expect(spec or "2xx", opts)`.
---@param line string
---@param spec smtpx.Spec?
---@param opts (smtpx.SendOptions|smtpx.ExpectOptions)?
---@return smtpx.Reply
function Session:command(line, spec, opts) end

---The next reply whatever it is, or nil and the kind ("timeout", "eof", "protocol") and a message.
---@param timeout number?
---@return smtpx.Reply?
---@return ("timeout"|"eof"|"protocol")?
---@return string?
function Session:next_reply(timeout) end

---Closes the connection; sessions left open close when the script ends.
function Session:close() end

---Shuts the sending side after queued output (after QUIT: Exim answers at once).
function Session:half_close() end

---An "=== " line in the transcript.
---@param text string
function Session:log(text) end

---The default reply timeout for later expects.
---@param seconds number
function Session:set_timeout(seconds) end

---@return smtpx.SessionInfo
function Session:info() end

---Upgrades the connection once the server said 220 to STARTTLS; raises kind tls on failure.
---@param opts smtpx.TlsOptions?
---@return smtpx.TlsInfo
function Session:starttls(opts) end

---The facts of the TLS session, or nil while the session is plain.
---@return smtpx.TlsInfo?
function Session:tls_info() end

---A task of `smtp.spawn`.
---@class smtpx.Task: thread

---@class smtpx.ProcessStats
---@field rss_kib integer
---@field peak_rss_kib integer
---@field open_fds integer
---@field waits integer times a task of this thread's engine waited on the event loop

---@class smtpx.MimeAttachment
---@field path string?
---@field data string?
---@field name string?
---@field content_type string?

---@class smtpx.MimeSpec
---@field headers {[1]: string, [2]: string}[]? written first, as given
---@field text string?
---@field html string?
---@field attachments smtpx.MimeAttachment[]?
---@field encoding ("auto"|"8bit"|"quoted-printable"|"base64")?
---@field charset string?

---The transcript line matching of `smtpx.replay` (ReplayLibrary.cpp).
---@class smtpx.ReplayFunctions
---@field expand fun(template: string, dialogue: table): string, boolean the line, and whether it holds a secret
---@field check fun(lines: string[], reply: smtpx.Reply, dialogue: table, opts: {ehlo: boolean}?): string? nil, or what differs
---@field convert fun(text: string, to: "lua"|"canonical", opts: {from: ("canonical"|"rfc"|"swaks"|"smtpx"|"telnet")?, source: string?}?): string what `smtpx convert` writes; raises kind import (exit 31)

---The smtpx library, a global in every script.
---@class smtpx.Smtp
---@field version string "0.1.0"
---@field interactive boolean stderr is a terminal: live progress lines are welcome
---@field line_editing boolean stdin and stderr are terminals: smtp.read_line edits lines (libedit)
---@field Session smtpx.Session the session methods, to wrap or extend
---@field replay smtpx.ReplayFunctions
smtp = {}

---Connects; `target` is "host", "host:port", "[v6]:port" or {host=, port=}; `port` overrides.
---Raises kind connect (exit 4), or tls (exit 8) for implicit TLS.
---@param target string|{host: string, port: integer?}
---@param port integer?
---@param opts smtpx.ConnectOptions?
---@return smtpx.Session
---@overload fun(target: string|{host: string, port: integer?}, opts: smtpx.ConnectOptions?): smtpx.Session
function smtp.connect(target, port, opts) end

---The addresses smtp.connect would try; waits for the lookup without blocking other sessions,
---at most `timeout` seconds (default: the connect timeout); raises kind connect when the name
---does not resolve in time.
---@param host string
---@param timeout number?
---@return string[]
function smtp.resolve(host, timeout) end

---Waits without blocking other sessions.
---@param seconds number
function smtp.sleep(seconds) end

---Runs fn(...) as another task of this run, concurrently.
---@param fn function
---@param ... any
---@return smtpx.Task
function smtp.spawn(fn, ...) end

---The task's results, or raises its error.
---@param task smtpx.Task
---@return ...
function smtp.join(task) end

---The captures table if `reply` matches `spec`, else nil.
---@param reply smtpx.Reply
---@param spec smtpx.Spec
---@return string[]?
function smtp.match(reply, spec) end

---"250 or 251", as used in error messages.
---@param spec smtpx.Spec
---@return string
function smtp.describe(spec) end

---Raises an smtpx error object; `fields.phase` or `fields.exit` choose the exit code.
---@param kind smtpx.ErrorKind
---@param message string
---@param fields table?
function smtp.raise(kind, message, fields) end

---Seconds on a monotonic clock.
---@return number
function smtp.now() end

---The bytes session:send_data would send: CRLF, dot-stuffed, CRLF.CRLF.
---@param text string
---@return string
function smtp.encode_data(text) end

---@return smtpx.ProcessStats
function smtp.process_stats() end

---Base64 on one line.
---@param bytes string
---@return string
function smtp.base64_encode(bytes) end

---The bytes, or nil and a reason when `text` is not base64.
---@param text string
---@return string?
---@return string?
function smtp.base64_decode(text) end

---32 hex digits.
---@param key string
---@param data string
---@return string
function smtp.hmac_md5(key, data) end

---`text` when printable ASCII, else RFC 2047 B words.
---@param text string
---@param charset string?
---@return string
function smtp.encode_words(text, charset) end

---Every line end (CRLF, LF, CR) as CRLF.
---@param text string
---@return string
function smtp.crlf(text) end

---A whole message built with Poco::Net::MailMessage.
---@param spec smtpx.MimeSpec
---@return string
function smtp.mime_message(spec) end

---A line typed on the terminal with echo off; nil and a reason when stdin is not a terminal.
---@param prompt string
---@return string?
---@return string?
function smtp.prompt_secret(prompt) end

---Waits for a line on stdin without stopping the event loop (edited with libedit on a terminal).
---Returns the line; nil at the end of input; nil, "timeout" when opts.timeout seconds passed (the
---part typed stays for the next call); nil, "error", message when stdin cannot be read.
---@param prompt string?
---@param opts {timeout: number?}?
---@return string?
---@return ("timeout"|"error")?
---@return string?
function smtp.read_line(prompt, opts) end

---Keeps a line for the Up arrow, and in the history file if one is open.
---@param line string
---@return true?
---@return string? why the history file could not be written
function smtp.add_history(line) end

---Loads the history from `path` (made with mode 0600) and appends each later line to it.
---@param path string
---@param max_lines integer? default 1000
---@return true?
---@return string? why not
function smtp.open_history(path, max_lines) end

---------------------------------------------------------------------------------------------------
-- The standard library: require "smtpx.client", "smtpx.message", "smtpx.esmtp", "smtpx.sasl",
-- "smtpx.cli", "smtpx.replay"
---------------------------------------------------------------------------------------------------

---@class smtpx.Capabilities
---@field esmtp boolean false after a HELO fallback
---@field domain string the server's name
---@field size integer? the SIZE limit (0: none stated; nil: no SIZE)
---@field auth table<string, boolean> the mechanisms offered
---@field names string[] the keywords in order
---@field params table<string, string> each keyword's parameter text
---@field pipelining boolean?
---@field starttls boolean?
---@field chunking boolean?
---@field dsn boolean?
---@field smtputf8 boolean?
---@field enhancedstatuscodes boolean?
---@field [string] boolean|any

---@class smtpx.ClientOptions
---@field timeout number? seconds per reply
---@field connect_timeout number?
---@field helo string? name for EHLO/HELO/LHLO (localhost)
---@field tls boolean|smtpx.TlsOptions|nil implicit TLS (port 465)

---@class smtpx.AuthOptions
---@field mechanism ("PLAIN"|"LOGIN"|"CRAM-MD5"|"XOAUTH2")? nil: the strongest offered
---@field user string
---@field password string?
---@field token string? XOAUTH2 (default: password)
---@field authzid string? PLAIN
---@field initial_response boolean? PLAIN default true, LOGIN default false

---@class smtpx.MailOptions
---@field size integer?
---@field body ("7BIT"|"8BITMIME"|"BINARYMIME")?
---@field smtputf8 boolean?
---@field ret ("FULL"|"HDRS")?
---@field envid string?
---@field params string[]? raw KEY=VALUE parameters

---@class smtpx.RcptOptions
---@field notify string|string[]|nil "SUCCESS,FAILURE", a list, or "NEVER"
---@field orcpt string? an address, or "type;address"
---@field soft boolean? return a refusal instead of raising

---@class smtpx.RecipientResult
---@field address string
---@field ok boolean
---@field temporary boolean
---@field code integer
---@field enhanced string?
---@field text string
---@field reply smtpx.Reply

---@class smtpx.Transaction
---@field from string
---@field accepted string[]
---@field refused string[]
---@field results smtpx.RecipientResult[]

---@class smtpx.DataOptions
---@field raw boolean? the bytes exactly as given
---@field quiet boolean? keep the message out of the transcript
---@field chunk_size integer? (bdat) bytes per chunk

---@class smtpx.MessageSpec
---@field from string
---@field to string|string[]
---@field message string
---@field pipelining boolean?
---@field chunking boolean?
---@field mail smtpx.MailOptions?
---@field rcpt smtpx.RcptOptions?
---@field raw boolean?
---@field quiet boolean?
---@field stop_after ("mail"|"rcpt"|"data")?

---@class smtpx.SendResult
---@field accepted string[]
---@field refused string[]
---@field results smtpx.RecipientResult[]
---@field queued smtpx.Reply? the final reply
---@field deliveries smtpx.Reply[]? LMTP replies

---An SMTP/LMTP client (smtpx.client); each step runs in a phase that sets the exit code.
---@class smtpx.Client
---@field session smtpx.Session the raw session
---@field banner smtpx.Reply?
---@field caps smtpx.Capabilities? from the last EHLO
---@field helo_name string
---@field tls boolean|smtpx.TlsInfo|nil
---@field lmtp boolean
---@field authenticated string? the mechanism
---@field transaction smtpx.Transaction?
---@field phase_times table<string, number> seconds spent per phase
local Client = {}

---@param opts {settle: number?}?
---@return smtpx.Reply
function Client:greeting(opts) end
---@param name string?
---@return smtpx.Capabilities
function Client:ehlo(name) end
---@param name string?
---@return smtpx.Capabilities
function Client:lhlo(name) end
---@param tls_opts smtpx.TlsOptions?
---@return smtpx.Capabilities
function Client:starttls(tls_opts) end
---@param opts smtpx.AuthOptions
---@return smtpx.Reply
function Client:auth(opts) end
---@param from string "" for the null sender
---@param opts smtpx.MailOptions?
---@return smtpx.Reply
function Client:mail(from, opts) end
---@param to string
---@param opts smtpx.RcptOptions?
---@return smtpx.RecipientResult
function Client:rcpt(to, opts) end
---@param message string
---@param opts smtpx.DataOptions?
---@return smtpx.Reply
function Client:data(message, opts) end
---@param message string
---@param opts smtpx.DataOptions?
---@return smtpx.Reply
function Client:bdat(message, opts) end
---@param spec smtpx.MessageSpec
---@return smtpx.SendResult
function Client:send_message(spec) end
---The MAIL parameters send_message would add (SIZE, BODY=8BITMIME, SMTPUTF8).
---@param spec smtpx.MessageSpec
---@return smtpx.MailOptions
function Client:mail_options(spec) end
---@return smtpx.Reply
function Client:rset() end
---@return smtpx.Reply
function Client:noop() end
---@param address string
---@return smtpx.Reply
function Client:vrfy(address) end
function Client:quit() end
function Client:close() end
---@return smtpx.Reply
function Client:read_reply() end
---@param line string
---@param send_opts smtpx.SendOptions?
---@return smtpx.Reply
function Client:exchange(line, send_opts) end

---@class smtpx.client
---@field Client smtpx.Client
---@field TRANSCRIPT_LIMIT integer 64 KiB
---@field BDAT_CHUNK integer 1 MiB
local client = {}
---@param target string|{host: string, port: integer?}
---@param opts smtpx.ClientOptions?
---@return smtpx.Client
function client.open(target, opts) end

---@class smtpx.BuildAttachment
---@field path string?
---@field data string?
---@field name string?
---@field content_type string?

---@class smtpx.BuildSpec
---@field from string|string[]|nil
---@field to string|string[]|nil
---@field cc string|string[]|nil
---@field reply_to string|string[]|nil
---@field subject string?
---@field date string?
---@field message_id string?
---@field body string?
---@field body_file string? "-": stdin
---@field html string?
---@field html_file string?
---@field attachments (string|smtpx.BuildAttachment)[]?
---@field headers table? {["X-A"] = "1"} or {{"X-A", "1"}}; false removes a header
---@field encoding ("auto"|"8bit"|"quoted-printable"|"base64")?
---@field charset string?

---Builds messages (smtpx.message).
---@class smtpx.message
local message = {}
---@param spec smtpx.BuildSpec
---@return string
function message.build(spec) end
---@param time integer?
---@return string
function message.date(time) end
---@param domain string?
---@return string
function message.message_id(domain) end
---@param text string
---@return string
function message.format_address(text) end
---@param text string
---@return string
function message.address_of(text) end
---@param name string
---@param value string
---@return string
function message.header_value(name, value) end
---@param path string "-": stdin
---@return string
function message.read_file(path) end

---ESMTP without I/O (smtpx.esmtp).
---@class smtpx.esmtp
local esmtp = {}
---@param reply smtpx.Reply|string[]
---@return smtpx.Capabilities
function esmtp.parse_capabilities(reply) end
---The capabilities after a HELO fallback.
---@param reply smtpx.Reply?
---@return smtpx.Capabilities
function esmtp.no_capabilities(reply) end
---@param from string
---@param opts smtpx.MailOptions?
---@return string
function esmtp.mail_command(from, opts) end
---@param to string
---@param opts smtpx.RcptOptions?
---@return string
function esmtp.rcpt_command(to, opts) end
---Raises kind script when `value` holds CR, LF or NUL, or is not a string.
---@param value any
---@param what string
---@return string
function esmtp.check_arg(value, what) end
---@param text string
---@return string
function esmtp.xtext(text) end

---SASL payloads without I/O (smtpx.sasl).
---@class smtpx.sasl
---@field PREFERENCE string[] the order choose tries
local sasl = {}
---@param user string
---@param password string
---@param authzid string?
---@return string
function sasl.plain(user, password, authzid) end
---@param text string the base64 334 prompt
---@param expected string
---@return boolean
function sasl.check_login_prompt(text, expected) end
---@param user string
---@param password string
---@param challenge_b64 string
---@return string
function sasl.cram_md5(user, password, challenge_b64) end
---@param user string
---@param token string
---@return string
function sasl.xoauth2(user, token) end
---@param offered table<string, boolean>
---@param opts {token: string?}?
---@return string?
function sasl.choose(offered, opts) end

---Helpers for runnable scripts (smtpx.cli).
---@class smtpx.cli
---@field PARTIAL integer 29: some recipients refused
local cli = {}
---"a,b" -> {"a", "b"}
---@param value string|string[]|nil
---@return string[]
function cli.list(value) end
---1/yes/true/on, 0/no/false/off
---@param value string?
---@param default boolean
---@param name string
---@return boolean
function cli.flag(value, default, name) end
---@param value string?
---@param default number?
---@param name string
---@return number
function cli.number(value, default, name) end
---@param p table<string, string>
---@param key string
---@param hint string?
---@return string
function cli.required(p, key, hint) end
---@param p table<string, string>
---@return string
function cli.server(p) end
-----set password, then the variable named by password_env (SMTPX_PASSWORD), then a prompt.
---@param p table<string, string>
---@param user string?
---@return string
function cli.password(p, user) end
-----set header.X-A=1 -> {{"X-A", "1"}}
---@param p table<string, string>
---@return {[1]: string, [2]: string}[]
function cli.headers(p) end
---@param results smtpx.RecipientResult[]
function cli.print_results(results) end
---@param c smtpx.Client
---@param spec smtpx.MessageSpec
---@return smtpx.SendResult
function cli.deliver(c, spec) end
---@param result smtpx.SendResult
---@return integer
function cli.exit_code(result) end

---A transcript dialogue on an open session (smtpx.replay).
---@class smtpx.ReplayDialogue
local Dialogue = {}
---@param template string
function Dialogue:send(template) end
---@param lines string[]
---@param opts table?
---@return string? what differs
function Dialogue:compare(lines, opts) end
---@param lines string[]
---@param opts table?
function Dialogue:expect(lines, opts) end
---@return string?
function Dialogue:compare_close() end
function Dialogue:expect_close() end

---@class smtpx.replay
local replay = {}
---@param session smtpx.Session
---@param opts {match: ("code"|"text")?, extras: "ignore"?, secrets: table<string, string>?, rewrite: {[1]: string, [2]: string}[]?}?
---@return smtpx.ReplayDialogue
function replay.dialogue(session, opts) end
---Raises a replay error (exit 30) naming each divergence.
---@param transcript table
---@param opts table
function replay.run(transcript, opts) end
