#!/usr/bin/env bash
# Prepares a Debian 12 machine (down to a debootstrap --variant=minbase one) to build smtpx and to
# run its integration tests against real mail servers, then configures and builds the tree.
#
# Idempotent: a second run installs nothing, downloads nothing and runs no `apt-get update`; it
# only re-runs cmake + ninja (both no-ops on an up-to-date tree).
#
# Environment:
#   BUILD_DIR         build directory (default: <repo>/build)
#   SMTPX_CACHE       where the unpacked Exim tree lives (default: /var/cache/smtpx); delete
#                     $SMTPX_CACHE/exim-root to fetch a newer Exim
#   SMTPX_SKIP_BUILD  set to 1 to only install (e.g. for a machine that only runs the servers)
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO_ROOT/build}
SMTPX_CACHE=${SMTPX_CACHE:-/var/cache/smtpx}
EXIM_ROOT=$SMTPX_CACHE/exim-root
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
  # toolchain and libraries smtpx builds against
  g++ cmake ninja-build pkg-config liblua5.4-dev libpoco-dev catch2
  # `smtpx shell`'s line editing and history (libedit's readline interface; BSD licence)
  libedit-dev
  # servers and tools of the test harness
  postfix sasl2-bin libsasl2-modules python3 python3-aiosmtpd openssl ca-certificates swaks procps
  # swaks --tls needs Net::SSLeay (only a Recommends of swaks, which --no-install-recommends skips)
  libnet-ssleay-perl
  # The harness maps any <localpart>@<domain> to the Maildir <domain>/<localpart>/ for virtual(8).
  # virtual(8) refuses $1 substitution from regexp/pcre maps (a path injection on a real server),
  # so that map is an SQL expression over an empty SQLite database instead.
  postfix-sqlite
  # packaging: cpack's DEB generator runs dpkg-shlibdeps (eco_deb.sh) to write the Depends line
  dpkg-dev
  # hostile-server tests measure each run's time and max RSS with /usr/bin/time
  time
  # .ci/fuzz.sh: libFuzzer targets need clang and its runtimes (libFuzzer, ASan, UBSan)
  clang libclang-rt-14-dev
  # bench/ counts instructions per send+expect with callgrind (its smoke run is a test)
  valgrind
)

log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise (a developer machine).
as_root() {
  if (( EUID == 0 )); then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo env DEBIAN_FRONTEND=noninteractive "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

is_installed() {
  [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

missing_of() {
  local p
  for p in "$@"; do is_installed "$p" || printf '%s\n' "$p"; done
}

APT_UPDATED=0
# apt-get update is slow and needs the network, so only run it when something must be fetched,
# and at most once per run.
apt_update_once() {
  (( APT_UPDATED )) && return 0
  log "apt-get update"
  as_root apt-get update -qq
  APT_UPDATED=1
}

# True when apt has package lists at all (a fresh debootstrap or a docker image has none).
have_apt_lists() {
  compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

apt_install() {
  (( $# )) || return 0
  have_apt_lists || apt_update_once
  log "installing: $*"
  # --no-install-recommends keeps a minimal machine minimal; everything we rely on is listed.
  # If the lists are stale (404 on an old version), refresh them once and retry.
  if ! as_root apt-get install -y -qq --no-install-recommends "$@"; then
    (( APT_UPDATED )) && die "apt-get install failed: $*"
    apt_update_once
    as_root apt-get install -y -qq --no-install-recommends "$@"
  fi
}

# Postfix asks debconf questions on install; answer them so the install never blocks and leaves
# the system instance unconfigured (the harness runs its own instance with its own main.cf).
preseed_postfix() {
  as_root debconf-set-selections <<'EOF'
postfix postfix/main_mailer_type select No configuration
postfix postfix/mailname string testbed.local
EOF
}

install_packages() {
  local missing
  mapfile -t missing < <(missing_of "${PACKAGES[@]}")
  if (( ${#missing[@]} == 0 )); then
    log "all packages already installed"
    return 0
  fi
  if printf '%s\n' "${missing[@]}" | grep -qx postfix; then preseed_postfix; fi
  apt_install "${missing[@]}"
}

# Exim and Postfix both provide mail-transport-agent and conflict as packages, so Exim is only
# unpacked (dpkg -x) into $EXIM_ROOT and run from there by the harness. Its shared libraries must
# still come from normal packages: we install the lib* packages named in its Depends.
exim_works() {
  [[ -f $EXIM_ROOT/.smtpx-complete && -x $EXIM_ROOT/usr/sbin/exim4 ]] || return 1
  [[ "$(ldd "$EXIM_ROOT/usr/sbin/exim4")" != *'not found'* ]]
}

# Prints the lib* packages a .deb depends on (first alternative of each, version stripped).
deb_library_depends() {
  dpkg-deb -f "$1" Depends | tr ',' '\n' | sed -E 's/\|.*//; s/\(.*\)//; s/:any//; s/[[:space:]]//g' |
    grep '^lib' || true
}

download_debs() {
  local dir=$1
  # apt's download sandbox runs as _apt, which must be able to write the target directory.
  if getent passwd _apt >/dev/null; then as_root chown _apt "$dir"; fi
  if ! (cd "$dir" && as_root apt-get download -qq exim4-daemon-light exim4-base); then
    (( APT_UPDATED )) && die "apt-get download of exim failed"
    apt_update_once
    (cd "$dir" && as_root apt-get download -qq exim4-daemon-light exim4-base)
  fi
}

fetch_exim() {
  if exim_works; then
    log "exim already unpacked in $EXIM_ROOT"
    return 0
  fi
  have_apt_lists || apt_update_once
  local deb libs missing
  TMP_DIR=$(mktemp -d)
  local tmp=$TMP_DIR
  chmod 755 "$tmp"
  download_debs "$tmp"

  mapfile -t libs < <(for deb in "$tmp"/*.deb; do deb_library_depends "$deb"; done | sort -u)
  mapfile -t missing < <(missing_of "${libs[@]}")
  # On a Postfix machine this is typically libidn12 (and on minbase libgnutls-dane0 too).
  apt_install "${missing[@]}"

  log "unpacking exim into $EXIM_ROOT"
  as_root rm -rf "$EXIM_ROOT"
  as_root mkdir -p "$EXIM_ROOT"
  for deb in "$tmp"/*.deb; do as_root dpkg -x "$deb" "$EXIM_ROOT"; done
  # The packaged binary is setuid root. The harness runs Exim unprivileged, so do not leave a
  # setuid-root copy lying around in a cache directory.
  as_root chmod u-s "$EXIM_ROOT/usr/sbin/exim4"

  if ldd "$EXIM_ROOT/usr/sbin/exim4" | grep 'not found'; then
    die "exim has unresolved shared libraries (see above)"
  fi
  as_root touch "$EXIM_ROOT/.smtpx-complete"
  as_root rm -rf "$tmp"
  local version
  version=$("$EXIM_ROOT/usr/sbin/exim4" -C /dev/null -bV 2>&1) || die "the unpacked exim does not run: $version"
  log "$(grep -m1 '^Exim version' <<<"$version")"
}

# The Debian exim binary looks up its compiled-in user "Debian-exim" before it even reads its
# configuration and exits if it is missing. exim4-base's postinst would create it; we never run
# that postinst, so create the same system user here. The harness runs Exim wholly as this user.
ensure_exim_user() {
  getent passwd Debian-exim >/dev/null && return 0
  log "creating system user Debian-exim"
  as_root useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin Debian-exim
}

build() {
  if [[ ${SMTPX_SKIP_BUILD:-0} == 1 ]]; then
    log "SMTPX_SKIP_BUILD=1: not building"
    return 0
  fi
  log "configuring and building in $BUILD_DIR"
  cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -G Ninja
  ninja -C "$BUILD_DIR" -j2
}

TMP_DIR=
cleanup() { [[ -z $TMP_DIR ]] || as_root rm -rf "$TMP_DIR"; }
trap cleanup EXIT

main() {
  install_packages
  ensure_exim_user  # first: the exim binary does not even print its version without that user
  fetch_exim
  build
}

main "$@"
