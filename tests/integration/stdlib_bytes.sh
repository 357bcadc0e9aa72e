#!/usr/bin/env bash
# Byte-exact delivery through `smtpx run send` to each real server: a body with the lines ".",
# "..", ".leading", a 990-byte line, bare LF and bare CR, trailing blanks, "=" and 8-bit UTF-8
# text, plus a 5 MB random attachment, must come out of the Maildir, once MIME-decoded, as the
# input (the text after CRLF normalisation, the attachment byte for byte). Sent twice per
# server: as the defaults pick (quoted-printable, DATA) and with encoding=8bit (BODY=8BITMIME),
# PIPELINING and CHUNKING (BDAT where offered). Then a raw message_file goes out unchanged.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

RUN=sb$$
BODY=$TEST_TMP/body.txt
ATTACHMENT=$TEST_TMP/random.bin
SUBJECT='Bytes Grüße ✓ Ελληνικά'

python3 - "$BODY" "$ATTACHMENT" <<'EOF'
import os, sys
body = b"".join([
    b"first line\r\n", b".\r\n", b"..\r\n", b".leading dot\r\n", b"x" * 990 + b"\r\n",
    b"bare LF here\nnext line\r\n", b"bare CR here\rnext line\r\n",
    b"trailing blanks \t \r\n", b"a=b =3D c\r\n", b"From the start\r\n", b"tab\tinside\r\n",
    "UTF-8: Grüße, Ελληνικά, 日本語\r\n".encode(), b"\r\n", b".\r\n", b"last line\n",
])
open(sys.argv[1], "wb").write(body)
open(sys.argv[2], "wb").write(os.urandom(5 * 1024 * 1024))
EOF

# check_delivery MESSAGE_FILE: the text part and the attachment decode to the inputs.
check_delivery() {
  python3 - "$1" "$BODY" "$ATTACHMENT" "$SUBJECT" <<'EOF' || fail "$1 does not hold the input, byte for byte"
import email, email.header, re, sys
path, body_path, attachment_path, subject = sys.argv[1:5]
def crlf(data): return re.sub(rb"\r\n|\r|\n", b"\r\n", data)
message = email.message_from_binary_file(open(path, "rb"))
got_subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
assert got_subject == subject, f"Subject {got_subject!r}, expected {subject!r}"
leaves = [part for part in message.walk() if not part.is_multipart()]
texts = [part for part in leaves if part.get_content_type() == "text/plain" and not part.get_filename()]
files = [part for part in leaves if part.get_filename()]
assert len(texts) == 1 and len(files) == 1, f"{len(texts)} text parts, {len(files)} attachments"
want, got = crlf(open(body_path, "rb").read()), crlf(texts[0].get_payload(decode=True))
if got != want:
    at = next((i for i in range(min(len(got), len(want))) if got[i] != want[i]), min(len(got), len(want)))
    sys.exit(f"text part ({texts[0]['Content-Transfer-Encoding']}) differs at byte {at}: "
             f"got {got[max(0, at - 20):at + 20]!r}, expected {want[max(0, at - 20):at + 20]!r}")
data = files[0].get_payload(decode=True)
assert files[0].get_filename() == "random.bin", files[0].get_filename()
assert data == open(attachment_path, "rb").read(), f"attachment: {len(data)} bytes differ from the input"
print(f"{path}: text {len(got)} bytes ({texts[0]['Content-Transfer-Encoding']}), attachment {len(data)} bytes: equal")
EOF
}

for server in postfix exim aiosmtpd; do
  port_var=${server^^}_PORT
  target=127.0.0.1:${!port_var}
  variant=0
  for options in "" "--set encoding=8bit --set pipelining=1 --set chunking=1"; do
    variant=$((variant + 1))
    local_part=$RUN-$server-$variant
    # shellcheck disable=SC2086  # $options holds several words on purpose
    assert_exit 0 "$SMTPX" run send --server "$target" --timeout 60 --set from=sender@testbed.local \
      --set to="$local_part@example.com" --set subject="$SUBJECT" --set body_file="$BODY" \
      --set attach="$ATTACHMENT" $options
    if [[ -n $options ]]; then
      assert_contains "$LAST_STDERR" "BODY=8BITMIME"
      if [[ $server != aiosmtpd ]]; then assert_contains "$LAST_STDERR" " LAST"; fi
    fi
    check_delivery "$(wait_for_mail "$(mail_dir "$server" "$local_part@example.com")" 60)"
  done
done

# raw: the bytes of message_file exactly as given, already dot-stuffed and terminated
raw=$TEST_TMP/raw.eml
printf 'Subject: raw\r\n\r\n..one dot\r\nline\r\n.\r\n' >"$raw"
assert_exit 0 "$SMTPX" run send --server "127.0.0.1:$AIOSMTPD_PORT" --set to="$RUN-raw@example.com" \
  --set message_file="$raw" --set raw=1
stored=$(wait_for_mail "$(mail_dir aiosmtpd "$RUN-raw@example.com")" 20)
printf 'Subject: raw\r\n\r\n.one dot\r\nline\r\n' | cmp - "$stored" || fail "raw message changed on the way"

echo "stdlib_bytes: ok"
