#!/usr/bin/env python3
"""Holds COUNT idle TLS connections to HOST:PORT for bench/run.sh (workload i).

Each connection does a full handshake and one keep-alive GET of PATH, reads the whole response, and is then
held open without a byte more. Once all are held it prints "held COUNT" on stdout and waits for the end of its
stdin; then it closes them and exits. The certificate is not verified: the benchmark made it itself.

    tls-idle.py HOST PORT COUNT PATH
"""
import socket
import ssl
import sys


def fetch(context, host, port, path):
    raw = socket.create_connection((host, port), timeout=30)
    conn = context.wrap_socket(raw, server_hostname=host)
    conn.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode("ascii"))
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise IOError("closed before the response head")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            raise IOError("closed before the end of the body")
        body += chunk
    return conn


def main():
    host, port, count, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    held = []
    try:
        for _ in range(count):
            held.append(fetch(context, host, port, path))
    except (OSError, ValueError) as e:
        print(f"after {len(held)} connections: {e}", file=sys.stderr)
    print(f"held {len(held)}", flush=True)
    sys.stdin.read()
    for conn in held:
        conn.close()


if __name__ == "__main__":
    main()
