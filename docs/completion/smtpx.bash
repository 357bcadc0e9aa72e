# bash completion for smtpx(1): subcommands, each one's options, bundled script names (from
# `smtpx list`) and files where an option takes a file. Installed as
# share/bash-completion/completions/smtpx; to try it from the source tree:
#   source docs/completion/smtpx.bash

_smtpx_commands="run check serve import convert replay serve-transcript record shell list help --help --version"

_smtpx_tls_options="--tls-ca-file --tls-ca-dir --tls-cert --tls-key --tls-min-version --tls-ciphers --insecure"
_smtpx_import_options="--from --session --strict"

# Prints the options of subcommand $1 (kept in step with each subcommand's --help).
_smtpx_options() {
  case $1 in
    run) echo "--server --servers --set --timeout --transcript --parallel --threads --spin --quiet \
--sandbox --busy-limit --memory-limit $_smtpx_tls_options --json --junit --tap --help" ;;
    shell) echo "--server --set --timeout --transcript --quiet --sandbox --busy-limit \
$_smtpx_tls_options --help" ;;
    check) echo "-H --server --servers --parallel --stop-after --helo --starttls --tls \
$_smtpx_tls_options --auth-user --auth-password --auth-mechanism --from --to --dialogue --set \
--expect-banner --require --reject --warning --critical --cert-warning --cert-critical --format \
--json --timeout --verbose --transcript --help --version" ;;
    serve) echo "--listen --config --max-concurrent --verbose --json --help" ;;
    import) echo "--output --json $_smtpx_import_options --help" ;;
    convert) echo "--to --output --json $_smtpx_import_options --help" ;;
    replay) echo "--server --set --rewrite --match --ignore-extras --keep-going --pace --timeout \
--parallel --junit --tap --json --transcript --quiet $_smtpx_import_options $_smtpx_tls_options --help" ;;
    serve-transcript) echo "--listen --sessions --pace --timeout --transcript --quiet --json \
$_smtpx_import_options --help" ;;
    record) echo "--listen --server --out --sessions --timeout --quiet --json --help" ;;
    list) echo "--json --help" ;;
    help) echo "--json --help" ;;
  esac
}

# True when option $1 takes a value (the next word is not a script or a file).
_smtpx_takes_value() {
  case $1 in
    --server | -H | --servers | --set | --timeout | -t | --transcript | --parallel | --threads | \
      --busy-limit | --tls-ca-file | --tls-ca-dir | --tls-cert | --tls-key | --tls-min-version | \
      --tls-ciphers | --stop-after | --helo | --auth-user | --auth-password | --auth-mechanism | \
      --from | --to | --dialogue | --expect-banner | --require | --reject | --warning | -w | \
      --critical | -c | --cert-warning | --cert-critical | --format | --listen | --config | \
      --max-concurrent | --output | -o | --session | --rewrite | --match | --junit | --tap | \
      --sessions | --out | --memory-limit | --spin) return 0 ;;
  esac
  return 1
}

# The bundled scripts' names: the first column of `smtpx list`.
_smtpx_scripts() {
  "$1" list 2>/dev/null | awk '{ print $1 }'
}

_smtpx() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local smtpx=${COMP_WORDS[0]} command=${COMP_WORDS[1]:-} i has_script=0
  COMPREPLY=()

  if ((COMP_CWORD == 1)); then
    mapfile -t COMPREPLY < <(compgen -W "$_smtpx_commands" -- "$cur")
    return
  fi

  # The value of an option that takes one.
  case $prev in
    --transcript | --servers | --tls-ca-file | --tls-cert | --tls-key | --dialogue | --config | \
      --output | -o | --junit | --tap | --out)
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      compopt -o filenames 2>/dev/null
      return ;;
    --tls-ca-dir)
      mapfile -t COMPREPLY < <(compgen -d -- "$cur")
      compopt -o filenames 2>/dev/null
      return ;;
    --stop-after)
      mapfile -t COMPREPLY < <(compgen -W "connect banner ehlo starttls auth mail rcpt data" -- "$cur")
      return ;;
    --format)
      mapfile -t COMPREPLY < <(compgen -W "nagios prometheus json" -- "$cur")
      return ;;
    --to)
      [[ $command == convert ]] && mapfile -t COMPREPLY < <(compgen -W "lua canonical" -- "$cur")
      return ;;
    --from)
      [[ $command == check ]] ||
        mapfile -t COMPREPLY < <(compgen -W "telnet rfc swaks smtpx canonical" -- "$cur")
      return ;;
    --match)
      mapfile -t COMPREPLY < <(compgen -W "code text" -- "$cur")
      return ;;
    --tls-min-version)
      mapfile -t COMPREPLY < <(compgen -W "1.2 1.3" -- "$cur")
      return ;;
  esac
  _smtpx_takes_value "$prev" && return

  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_smtpx_options "$command")" -- "$cur")
    return
  fi

  case $command in
    run | help)
      # One script per run: a bundled name or a Lua file, until one is given.
      for ((i = 2; i < COMP_CWORD; i++)); do
        [[ ${COMP_WORDS[i]} != -* ]] && ! _smtpx_takes_value "${COMP_WORDS[i - 1]}" && has_script=1
      done
      ((has_script)) && return
      mapfile -t COMPREPLY < <(compgen -W "$(_smtpx_scripts "$smtpx")" -- "$cur"
        compgen -f -X '!*.lua' -- "$cur"; compgen -d -- "$cur")
      ;;
    import | convert | replay | serve-transcript)
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      compopt -o filenames 2>/dev/null
      ;;
  esac
}

complete -F _smtpx smtpx
