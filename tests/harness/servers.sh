#!/usr/bin/env bash
# Starts and stops the REAL mail servers the smtpx integration tests talk to. Each one listens on
# 127.0.0.1 only, with private configuration, spool, logs and Maildirs under one state directory,
# so nothing on the machine's own mail setup is used or changed.
#
#   servers.sh start|stop|restart|status [postfix|exim|aiosmtpd|slow|all]   (default: all)
#
#   postfix   127.0.0.1:12525  Postfix, Cyrus SASL (sasldb) PLAIN LOGIN CRAM-MD5, virtual Maildirs
#   exim      127.0.0.1:12526  Exim 4 run from the .deb unpacked by .ci/setup.sh, PLAIN LOGIN
#   aiosmtpd  127.0.0.1:12527  tests/harness/aiosmtpd_server.py, PLAIN LOGIN
#   slow      127.0.0.1:12528  tests/harness/slow_banner_server.py, 220 banner after 1 s
#
# TLS: Postfix and Exim offer STARTTLS on their ports and speak implicit TLS (SMTPS) on 12465
# (Postfix) and 12466 (Exim), with the certificate for localhost/127.0.0.1 that
# tests/harness/make_certs.sh issues into $STATE/certs from its test CA (ca.pem there).
#
# All of them deliver mail for example.com and testbed.local to
# $STATE/<server>-mail/<domain>/<localpart>/ (Maildir), refuse refused@example.com at RCPT with 550
# and accept testuser/testpass. `start` restarts a server that is already running, wipes its
# previous spool and mail, waits for its 220 banner, and writes $STATE/servers.env for tests.
#
# Environment: SMTPX_TEST_STATE (default /tmp/smtpx-test), SMTPX_CACHE (default /var/cache/smtpx,
# where setup.sh unpacked Exim), SMTPX_START_TIMEOUT (seconds per server, default 20).
# Needs root (Postfix's master must start as root); re-runs itself through sudo otherwise.
set -euo pipefail

HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=$(realpath -m "${SMTPX_TEST_STATE:-/tmp/smtpx-test}")  # Postfix wants absolute paths
SMTPX_CACHE=${SMTPX_CACHE:-/var/cache/smtpx}
EXIM_ROOT=$SMTPX_CACHE/exim-root
START_TIMEOUT=${SMTPX_START_TIMEOUT:-20}
# Debian's interpreter, which has python3-aiosmtpd; a pyenv/venv python3 first on PATH would not.
PYTHON=/usr/bin/python3

HOST=127.0.0.1
POSTFIX_PORT=12525
EXIM_PORT=12526
AIOSMTPD_PORT=12527
SLOW_PORT=12528
TEST_USER=testuser
TEST_PASS=testpass
REFUSED_RCPT=refused@example.com
LOCAL_DOMAINS=(example.com testbed.local)
# Local parts become directory names: nothing that could climb out of a Maildir root. (Postfix's
# map in write_postfix_config spells the same rule as SQLite GLOBs.)
LOCAL_PART_RE='[A-Za-z0-9_+=-][A-Za-z0-9._+=-]*'
# Postfix's virtual(8) and Exim deliver as these unprivileged users (never root).
POSTFIX_MAIL_USER=mail
EXIM_USER=Debian-exim   # created by setup.sh: the Debian exim binary refuses to start without it

ALL_SERVERS=(postfix exim aiosmtpd slow)
LOCK_FD=
STOPPED_SIDS=()

say() { printf '[servers] %s\n' "$*" >&2; }
die() { printf '[servers] ERROR: %s\n' "$*" >&2; exit 1; }

# --- processes -----------------------------------------------------------------------------------

# Every server runs in its own session (Postfix's master calls setsid itself; the others are
# started through setsid), so "all processes of a server" is "all processes of its session",
# including Exim's delivery processes, which outlive their parents.
#
# Live processes of a session. Zombies are left out: they are already dead, just not yet reaped
# by PID 1 (which, in some sandboxes, reaps only every second or so).
session_pids() {
  ps -eo pid=,sid=,stat= | awk -v sid="$1" '$2 == sid && $3 !~ /^Z/ { print $1 }'
}

session_has_zombies() {
  ps -eo sid=,stat= | awk -v sid="$1" '$1 == sid && $2 ~ /^Z/ { found = 1 } END { exit !found }'
}

read_pidfile() {
  local pid=
  [[ -s $1 ]] && read -r pid <"$1"
  [[ $pid =~ ^[0-9]+$ ]] && printf '%s\n' "$pid"
}

# The pid from a pidfile, only if that process is still the session leader we started (a stale
# pidfile whose pid was reused by something else must never be signalled).
server_pid() {
  local name=$1 pid
  pid=$(read_pidfile "$(pidfile_of "$name")") || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  [[ $(ps -o sid= -p "$pid" | tr -d ' ') == "$pid" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$(cmdline_mark_of "$name")" || return 1
  echo "$pid"
}

pidfile_of() {
  case $1 in
    postfix) echo "$STATE/postfix/spool/pid/master.pid" ;;
    *) echo "$STATE/$1/server.pid" ;;
  esac
}

# A string the command line of the server's main process contains.
cmdline_mark_of() {
  case $1 in
    postfix) echo /postfix/sbin/master ;;
    exim) echo "$STATE/exim/exim.conf" ;;
    aiosmtpd) echo "$HARNESS_DIR/aiosmtpd_server.py" ;;
    slow) echo "$HARNESS_DIR/slow_banner_server.py" ;;
  esac
}

log_of() {
  case $1 in
    postfix) echo "$STATE/postfix/postfix.log" ;;
    exim) echo "$STATE/exim/log/mainlog" ;;
    *) echo "$STATE/$1/server.log" ;;
  esac
}

port_of() {
  case $1 in
    postfix) echo "$POSTFIX_PORT" ;;
    exim) echo "$EXIM_PORT" ;;
    aiosmtpd) echo "$AIOSMTPD_PORT" ;;
    slow) echo "$SLOW_PORT" ;;
  esac
}

# Starts a command detached in a new session with stdio on a log file: it must not hold the
# caller's pipes open (ctest would wait for them) nor die with the caller's process group.
# The command's pid (= its session id) goes to PIDFILE. The lock fd is not passed on: a daemon
# holding it would block the next servers.sh forever.
spawn() {
  local pidfile=$1 log=$2
  shift 2
  # shellcheck disable=SC2016  # expanded by the inner bash
  setsid bash -c 'cd / && echo $$ >"$0" && exec "$@"' "$pidfile" "$@" \
    </dev/null >>"$log" 2>&1 {LOCK_FD}>&- &
  local i
  for ((i = 0; i < 50; i++)); do [[ -s $pidfile ]] && return 0; sleep 0.02; done
  die "could not spawn $*"
}

# SIGTERM to the session leader, then wait (bounded) for the whole session to go; SIGKILL
# whatever is left, by pid.
stop_session() {
  local name=$1 sid=$2 pids i
  kill -TERM "$sid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    pids=$(session_pids "$sid")
    [[ -z $pids ]] && break
    sleep 0.1
  done
  [[ -z $pids ]] && return 0
  say "$name: still running after 10 s, killing: ${pids//$'\n'/ }"
  # shellcheck disable=SC2086  # one pid per word
  kill -KILL $pids 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    [[ -z $(session_pids "$sid") ]] && return 0
    sleep 0.1
  done
  die "$name: processes ${pids//$'\n'/ } do not go away"
}

# So that `ps` right after `servers.sh stop` shows nothing, give PID 1 a moment (bounded) to reap
# the zombies of what we stopped.
await_reaping() {
  local i sid zombies
  for ((i = 0; i < 50; i++)); do
    zombies=0
    for sid in "${STOPPED_SIDS[@]}"; do session_has_zombies "$sid" && zombies=1; done
    ((zombies)) || return 0
    sleep 0.1
  done
}

stop_server() {
  local name=$1 pid
  if pid=$(server_pid "$name"); then
    stop_session "$name" "$pid"
    STOPPED_SIDS+=("$pid")
    say "$name: stopped"
  fi
  rm -f "$(pidfile_of "$name")"
}

# --- readiness -----------------------------------------------------------------------------------

# Prints the first line the server at PORT sends, within SECONDS; fails if none.
banner_of() {
  local port=$1 secs=$2
  (
    exec 3<>"/dev/tcp/$HOST/$port" || exit 1
    IFS= read -r -t "$secs" line <&3 || exit 1
    printf 'QUIT\r\n' >&3 || true
    printf '%s\n' "${line%$'\r'}"
  ) 2>/dev/null
}

port_in_use() {
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

show_log() {
  local name=$1 log
  log=$(log_of "$name")
  say "---- last lines of $log ----"
  if [[ -s $log ]]; then tail -n 40 "$log" >&2; else say "(empty)"; fi
  if [[ $name == exim && -s $STATE/exim/log/paniclog ]]; then
    say "---- $STATE/exim/log/paniclog ----"
    tail -n 20 "$STATE/exim/log/paniclog" >&2
  fi
  if [[ -s $STATE/$name/stderr.log ]]; then
    say "---- $STATE/$name/stderr.log ----"
    tail -n 20 "$STATE/$name/stderr.log" >&2
  fi
}

# Waits until the server answers its port with a 220 banner; on failure shows its log, stops
# what was started and exits non-zero.
await_banner() {
  local name=$1 port deadline banner
  port=$(port_of "$name")
  deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if banner=$(banner_of "$port" 3) && [[ $banner == 220* ]]; then
      say "$name: up on $HOST:$port: $banner"
      return 0
    fi
    if ! server_pid "$name" >/dev/null; then
      say "$name: exited during start-up"
      break
    fi
    sleep 0.1
  done
  say "$name: no 220 banner on $HOST:$port (waited up to ${START_TIMEOUT}s; last answer: ${banner:-none})"
  show_log "$name"
  stop_server "$name"
  exit 1
}

ensure_port_free() {
  local name=$1 port
  port=$(port_of "$name")
  if port_in_use "$port"; then
    say "$name: port $port is already taken by a process this state dir ($STATE) does not know:"
    if command -v ss >/dev/null; then ss -ltnp "sport = :$port" >&2; fi
    die "$name: stop that process (or the harness that owns it) first"
  fi
}

# Delivery users (postfix, mail, Debian-exim) must reach files under $STATE.
check_state_reachable() {
  if ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$STATE"; then
    die "$STATE is not reachable by unprivileged users (a parent directory is not o+x); set SMTPX_TEST_STATE elsewhere"
  fi
}

# --- Postfix -------------------------------------------------------------------------------------

POSTFIX_CONF() { echo "$STATE/postfix/conf"; }

write_postfix_config() {
  local conf mail_uid mail_gid
  conf=$(POSTFIX_CONF)
  mail_uid=$(id -u "$POSTFIX_MAIL_USER")
  mail_gid=$(id -g "$POSTFIX_MAIL_USER")
  mkdir -p "$conf/sasl"

  cat >"$conf/main.cf" <<EOF
# Generated by tests/harness/servers.sh: a private, loopback-only Postfix for smtpx tests.
compatibility_level = 3.6
queue_directory = $STATE/postfix/spool
data_directory = $STATE/postfix/data
maillog_file = $STATE/postfix/postfix.log
# postlogd only writes logs below these prefixes
maillog_file_prefixes = $STATE/postfix
mail_owner = postfix

myhostname = postfix.testbed.local
mydomain = testbed.local
myorigin = \$myhostname
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP Postfix (testbed)
biff = no
append_dot_mydomain = no
alias_maps =
alias_database =
# reverse lookups of 127.0.0.1 would only slow every connection down
smtpd_peername_lookup = no
# never throttle the test clients because the queue manager is behind
in_flow_delay = 0

# Nothing leaves this machine: non-local mail bounces through error(8).
default_transport = error:outbound mail is disabled on the smtpx test bed
relay_transport = error:outbound mail is disabled on the smtpx test bed
relay_domains =

virtual_mailbox_domains = ${LOCAL_DOMAINS[*]}
virtual_mailbox_base = $STATE/postfix-mail
virtual_mailbox_maps = sqlite:$conf/virtual_mailboxes.cf
virtual_uid_maps = static:$mail_uid
virtual_gid_maps = static:$mail_gid
virtual_minimum_uid = $mail_uid
# large enough for a 5 MB attachment after base64 encoding
message_size_limit = 20971520
virtual_mailbox_limit = 51200000

smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $conf/sasl
smtpd_sasl_local_domain = postfix.testbed.local
smtpd_sasl_security_options = noanonymous
smtpd_tls_security_level = none
smtpd_tls_auth_only = no
# Anyone may send to the local domains; only authenticated clients may relay (and relayed mail
# bounces, see default_transport).
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access texthash:$conf/recipient_access
EOF

  # Every service unchrooted: the private paths above are not inside any chroot.
  cat >"$conf/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command
$HOST:$POSTFIX_PORT inet n - n - - smtpd
pickup     unix  n       -       n       60      1       pickup
cleanup    unix  n       -       n       -       0       cleanup
qmgr       unix  n       -       n       300     1       qmgr
rewrite    unix  -       -       n       -       -       trivial-rewrite
bounce     unix  -       -       n       -       0       bounce
defer      unix  -       -       n       -       0       bounce
trace      unix  -       -       n       -       0       bounce
verify     unix  -       -       n       -       1       verify
flush      unix  n       -       n       1000?   0       flush
proxymap   unix  -       -       n       -       -       proxymap
proxywrite unix  -       -       n       -       1       proxymap
showq      unix  n       -       n       -       -       showq
error      unix  -       -       n       -       -       error
retry      unix  -       -       n       -       -       error
discard    unix  -       -       n       -       -       discard
virtual    unix  -       n       n       -       -       virtual
anvil      unix  -       -       n       -       1       anvil
scache     unix  -       -       n       -       1       scache
postlog    unix-dgram n  -       n       -       1       postlogd
EOF

  # Catch-all for the local domains: <localpart>@<domain> -> <domain>/<localpart>/ (the trailing
  # slash means Maildir). virtual(8) refuses $1 substitution from regexp maps, so the mapping is
  # an SQL expression; SQLite needs no table for it, just a database file (an empty file is one).
  # Postfix quotes %u/%d for SQL. Local parts that are unfit for a path match nothing and so get
  # "550 User unknown in virtual mailbox table" at RCPT.
  : >"$conf/empty.sqlite"
  cat >"$conf/virtual_mailboxes.cf" <<EOF
dbpath = $conf/empty.sqlite
domain = ${LOCAL_DOMAINS[*]}
query = SELECT '%d/%u/' WHERE '%u' GLOB '[A-Za-z0-9_+=-]*' AND '%u' NOT GLOB '*[^A-Za-z0-9._+=-]*'
EOF

  # access_map_reject_code would make a bare REJECT a 554; the tests expect 550.
  printf '%s 550 5.1.1 Recipient refused by test policy\n' "$REFUSED_RCPT" >"$conf/recipient_access"

  cat >"$conf/sasl/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $STATE/sasldb2
mech_list: PLAIN LOGIN CRAM-MD5
EOF
}

# The login name "testuser" gets smtpd_sasl_local_domain appended as its realm, hence -u.
make_sasldb() {
  rm -f "$STATE/sasldb2"
  printf '%s' "$TEST_PASS" | saslpasswd2 -p -f "$STATE/sasldb2" -u postfix.testbed.local -c "$TEST_USER"
  chown root:postfix "$STATE/sasldb2"
  chmod 0640 "$STATE/sasldb2"  # smtpd runs as postfix and only reads it
}

launch_postfix() {
  command -v postfix >/dev/null || die "postfix is not installed: run .ci/setup.sh"
  rm -rf "$STATE/postfix" "$STATE/postfix-mail"
  mkdir -p "$STATE/postfix/spool" "$STATE/postfix/data" "$STATE/postfix-mail"
  chown postfix "$STATE/postfix/data"
  chown "$POSTFIX_MAIL_USER:" "$STATE/postfix-mail"
  write_postfix_config
  add_postfix_tls
  make_sasldb
  # `postfix start` creates the queue directories and runs master in the background; `master -w`
  # (which it uses) returns only once the master initialised, so errors show up here.
  if ! postfix -c "$(POSTFIX_CONF)" start </dev/null >"$STATE/postfix/stderr.log" 2>&1 {LOCK_FD}>&-; then
    say "postfix: 'postfix start' failed"
    show_log postfix
    exit 1
  fi
}

# --- Exim ----------------------------------------------------------------------------------------

EXIM_BIN() { echo "$EXIM_ROOT/usr/sbin/exim4"; }

write_exim_config() {
  local dir=$STATE/exim
  printf '^%s$\n' "$LOCAL_PART_RE" >"$dir/local_parts"
  cat >"$dir/exim.conf" <<EOF
# Generated by tests/harness/servers.sh: a private, loopback-only, unprivileged Exim for smtpx tests.
primary_hostname = exim.testbed.local
# Exim re-executes itself for deliveries: point it at the unpacked binary.
exim_path = $(EXIM_BIN)
exim_user = $EXIM_USER
exim_group = $EXIM_USER
spool_directory = $dir/spool
log_file_path = $dir/log/%slog
log_selector = +smtp_connection +smtp_protocol_error +smtp_syntax_error +incoming_port
keep_environment =
daemon_smtp_ports = $EXIM_PORT
local_interfaces = $HOST
smtp_banner = \$smtp_active_hostname ESMTP Exim \$version_number (testbed) \$tod_full
domainlist local_domains = ${LOCAL_DOMAINS[0]} : ${LOCAL_DOMAINS[1]}
acl_smtp_rcpt = acl_check_rcpt
auth_advertise_hosts = *
tls_advertise_hosts =
host_lookup =
rfc1413_hosts =
message_size_limit = 20M
# deliver every message at once, however many arrive on one connection, and take many clients
smtp_accept_queue_per_connection = 0
smtp_accept_max = 200

begin acl
acl_check_rcpt:
  deny    recipients = $REFUSED_RCPT
          message = Recipient refused by test policy
  accept  domains = +local_domains
          local_parts = nwildlsearch;$dir/local_parts
  deny    message = Relay not permitted

begin routers
local_maildir:
  driver = accept
  domains = +local_domains
  # The local part is tainted (it comes from the client) and Exim >= 4.94 will not build a path
  # from it; a lookup with ret=key hands back an untainted copy in \$local_part_data.
  local_parts = nwildlsearch,ret=key;$dir/local_parts
  transport = maildir_delivery

begin transports
maildir_delivery:
  driver = appendfile
  directory = $STATE/exim-mail/\${domain_data}/\${local_part_data}
  maildir_format = true
  create_directory = true
  delivery_date_add
  envelope_to_add
  return_path_add
  user = $EXIM_USER
  group = $EXIM_USER
  mode = 0644

begin authenticators
PLAIN:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = \${if and {{eq{\$auth2}{$TEST_USER}}{eq{\$auth3}{$TEST_PASS}}}}
  server_set_id = \$auth2
  server_advertise_condition = true

LOGIN:
  driver = plaintext
  public_name = LOGIN
  server_prompts = Username:: : Password::
  server_condition = \${if and {{eq{\$auth1}{$TEST_USER}}{eq{\$auth2}{$TEST_PASS}}}}
  server_set_id = \$auth1
  server_advertise_condition = true
EOF
  # Exim refuses a configuration file that others could have written.
  chmod 0644 "$dir/exim.conf" "$dir/local_parts"
}

launch_exim() {
  [[ -x $(EXIM_BIN) ]] || die "no Exim in $EXIM_ROOT: run .ci/setup.sh"
  getent passwd "$EXIM_USER" >/dev/null || die "user $EXIM_USER missing: run .ci/setup.sh"
  local dir=$STATE/exim
  rm -rf "$dir" "$STATE/exim-mail"
  mkdir -p "$dir/spool" "$dir/log" "$STATE/exim-mail"
  chown "$EXIM_USER:" "$dir/spool" "$dir/log" "$STATE/exim-mail"
  write_exim_config
  add_exim_tls
  # Exim runs wholly as $EXIM_USER: with -C it drops root anyway, and an unprivileged Exim that
  # is its own exim_user can listen on a high port and deliver as itself. -bdf keeps the daemon
  # in the foreground so its pid is ours; it still forks per connection and per delivery.
  spawn "$dir/server.pid" "$dir/stderr.log" \
    setpriv --reuid="$EXIM_USER" --regid="$EXIM_USER" --init-groups \
    "$(EXIM_BIN)" -C "$dir/exim.conf" -bdf
}

# --- TLS (tests/integration/tls_*.sh) --------------------------------------------------------------

POSTFIX_SMTPS_PORT=12465
EXIM_SMTPS_PORT=12466
CERT_DIR=$STATE/certs

make_certs() {
  bash "$HARNESS_DIR/make_certs.sh" "$CERT_DIR"
}

# STARTTLS on the Postfix port, and a second smtpd speaking TLS from the first byte.
add_postfix_tls() {
  local conf smtps=$HOST:$POSTFIX_SMTPS_PORT
  conf=$(POSTFIX_CONF)
  make_certs
  postconf -c "$conf" -e \
    "smtpd_tls_security_level = may" \
    "smtpd_tls_cert_file = $CERT_DIR/server.pem" \
    "smtpd_tls_key_file = $CERT_DIR/server.key" \
    "smtpd_tls_loglevel = 1"
  postconf -c "$conf" -M \
    "tlsmgr/unix=tlsmgr unix - - n 1000? 1 tlsmgr" \
    "$smtps/inet=$smtps inet n - n - - smtpd"
  postconf -c "$conf" -P \
    "$smtps/inet/smtpd_tls_wrappermode=yes" \
    "$smtps/inet/smtpd_tls_security_level=encrypt"
}

# STARTTLS on the Exim port, implicit TLS on a second one. Exim refuses a main option that is set
# twice, so the two plain-text settings are changed in place and the rest goes before the ACLs.
add_exim_tls() {
  local conf=$STATE/exim/exim.conf
  make_certs
  sed -i -e "s|^tls_advertise_hosts =.*|tls_advertise_hosts = *|" \
    -e "s|^daemon_smtp_ports = .*|daemon_smtp_ports = $EXIM_PORT : $EXIM_SMTPS_PORT|" "$conf"
  sed -i "/^begin acl/i tls_on_connect_ports = $EXIM_SMTPS_PORT\\
tls_certificate = $CERT_DIR/server.pem\\
tls_privatekey = $CERT_DIR/server.key\\
" "$conf"
  grep -q "^tls_on_connect_ports" "$conf" || die "exim: could not add the TLS settings to $conf"
}

# --- Python servers ------------------------------------------------------------------------------

launch_aiosmtpd() {
  local dir=$STATE/aiosmtpd
  rm -rf "$dir" "$STATE/aiosmtpd-mail"
  mkdir -p "$dir" "$STATE/aiosmtpd-mail"
  "$PYTHON" -c 'import aiosmtpd' 2>/dev/null || die "$PYTHON lacks aiosmtpd: run .ci/setup.sh"
  spawn "$dir/server.pid" "$dir/server.log" \
    "$PYTHON" "$HARNESS_DIR/aiosmtpd_server.py" --host "$HOST" --port "$AIOSMTPD_PORT" \
    --maildir-root "$STATE/aiosmtpd-mail" --user "$TEST_USER" --password "$TEST_PASS" \
    --refuse "$REFUSED_RCPT"
}

launch_slow() {
  local dir=$STATE/slow
  rm -rf "$dir"
  mkdir -p "$dir"
  spawn "$dir/server.pid" "$dir/server.log" \
    "$PYTHON" "$HARNESS_DIR/slow_banner_server.py" --host "$HOST" --port "$SLOW_PORT" --delay 1
}

# --- servers.env ---------------------------------------------------------------------------------

write_env() {
  local tmp=$STATE/servers.env.tmp
  {
    echo "# Written by tests/harness/servers.sh. Source it: . \"\$SMTPX_TEST_STATE/servers.env\""
    printf '%s=%q\n' \
      SMTPX_TEST_STATE "$STATE" \
      TEST_HOST "$HOST" \
      TEST_USER "$TEST_USER" \
      TEST_PASS "$TEST_PASS" \
      TEST_REFUSED_RCPT "$REFUSED_RCPT" \
      TEST_LOCAL_DOMAINS "${LOCAL_DOMAINS[*]}" \
      POSTFIX_PORT "$POSTFIX_PORT" \
      POSTFIX_HOSTNAME postfix.testbed.local \
      POSTFIX_MAILDIR_ROOT "$STATE/postfix-mail" \
      POSTFIX_LOG "$(log_of postfix)" \
      EXIM_PORT "$EXIM_PORT" \
      EXIM_HOSTNAME exim.testbed.local \
      EXIM_MAILDIR_ROOT "$STATE/exim-mail" \
      EXIM_LOG "$(log_of exim)" \
      AIOSMTPD_PORT "$AIOSMTPD_PORT" \
      AIOSMTPD_HOSTNAME aiosmtpd.testbed.local \
      AIOSMTPD_MAILDIR_ROOT "$STATE/aiosmtpd-mail" \
      AIOSMTPD_LOG "$(log_of aiosmtpd)" \
      SLOW_PORT "$SLOW_PORT" \
      SLOW_HOSTNAME slow.testbed.local \
      SLOW_BANNER_DELAY 1 \
      SLOW_LOG "$(log_of slow)" \
      POSTFIX_SMTPS_PORT "$POSTFIX_SMTPS_PORT" \
      EXIM_SMTPS_PORT "$EXIM_SMTPS_PORT" \
      TLS_CERT_DIR "$CERT_DIR" \
      TLS_CA_FILE "$CERT_DIR/ca.pem"
  } >"$tmp"
  chmod 0644 "$tmp"
  mv "$tmp" "$STATE/servers.env"
}

# --- commands ------------------------------------------------------------------------------------

cmd_start() {
  local name
  mkdir -p "$STATE"
  chmod 0755 "$STATE"
  rm -f "$STATE/servers.env"  # a failed start must not leave a servers.env that looks valid
  mkdir -p "$STATE/tmp"        # scratch space for tests (lib.sh's TEST_TMP), like /tmp
  chmod 1777 "$STATE/tmp"
  check_state_reachable
  for name in "$@"; do
    stop_server "$name"
    ensure_port_free "$name"
  done
  # `postfix start` alone takes ~2 s (its integrity checks) and the slow server's banner 1 s:
  # launch and wait for the others in the background meanwhile.
  local waiters=() failed=0 pid
  for name in "$@"; do
    [[ $name == postfix ]] && continue
    "launch_$name"
    await_banner "$name" &
    waiters+=($!)
  done
  if [[ " $* " == *" postfix "* ]]; then
    launch_postfix
    await_banner postfix &
    waiters+=($!)
  fi
  for pid in "${waiters[@]}"; do wait "$pid" || failed=1; done
  ((failed == 0)) || die "some servers did not start (see above)"
  write_env
}

cmd_stop() {
  local name
  [[ -d $STATE ]] || return 0
  for name in "$@"; do stop_server "$name"; done
  await_reaping
  if [[ $# -eq ${#ALL_SERVERS[@]} ]]; then rm -rf "$STATE/servers.env" "$STATE/tmp"; fi
}

cmd_status() {
  local name pid rc=0 banner
  for name in "$@"; do
    if pid=$(server_pid "$name"); then
      banner=$(banner_of "$(port_of "$name")" 3) || banner="(no banner)"
      printf '%-9s running  pid %-7s %d processes  %s:%s  %s\n' "$name" "$pid" \
        "$(session_pids "$pid" | wc -l)" "$HOST" "$(port_of "$name")" "$banner"
    else
      printf '%-9s stopped\n' "$name"
      rc=3
    fi
  done
  return "$rc"
}

usage() {
  echo "usage: $0 start|stop|restart|status [postfix|exim|aiosmtpd|slow|all]..." >&2
  exit 2
}

main() {
  (($# >= 1)) || usage
  local cmd=$1 name
  shift
  (($#)) || set -- all
  local servers=()
  for name in "$@"; do
    case $name in
      all) servers+=("${ALL_SERVERS[@]}") ;;
      postfix | exim | aiosmtpd | slow) servers+=("$name") ;;
      *) usage ;;
    esac
  done

  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "must run as root (Postfix's master needs it)"
    exec sudo env SMTPX_TEST_STATE="$STATE" SMTPX_CACHE="$SMTPX_CACHE" \
      SMTPX_START_TIMEOUT="$START_TIMEOUT" bash "$0" "$cmd" "${servers[@]}"
  fi

  # One harness invocation at a time per state directory (e.g. parallel ctest fixtures).
  mkdir -p "$STATE"
  exec {LOCK_FD}>"$STATE/.lock"
  flock -w 120 "$LOCK_FD" || die "another servers.sh holds $STATE/.lock"

  case $cmd in
    start) cmd_start "${servers[@]}" ;;
    stop) cmd_stop "${servers[@]}" ;;
    restart) cmd_stop "${servers[@]}" && cmd_start "${servers[@]}" ;;
    status) cmd_status "${servers[@]}" ;;
    *) usage ;;
  esac
}

main "$@"
