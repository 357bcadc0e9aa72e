"""Python smtplib on the same workload as smtpx's load script: one session, N messages."""
import smtplib
import sys

host, port, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
head = "From: load@localhost\r\nTo: sink@example.com\r\nSubject: smtplib load\r\n\r\n"
message = head + "x" * max(0, size - len(head) - 2) + "\r\n"
with smtplib.SMTP(host, port) as client:
    client.ehlo("localhost")
    for _ in range(count):
        client.sendmail("load@localhost", ["sink@example.com"], message)
