#!/usr/bin/env python3
"""The rolling-restart test's helpers (see rolling-restart.sh).

  load.py load URL STOPFILE WINDOWFILE THREADS MAXSECONDS EXPECTED_BODY_FILE
      GETs URL over keep-alive connections from THREADS threads until STOPFILE exists (or MAXSECONDS
      pass), each connection making 1 to 40 requests before it closes, so that HAProxy keeps opening new
      connections to the instances. Every failure counts: a connection error, a timeout, a status other
      than 200, a body other than the expected one. WINDOWFILE holds two lines, the epoch seconds the
      restarts began and ended; latencies are reported overall and for requests that began in that window.
      Prints "requests N", "failures N", the latency figures and each distinct failure; exits 0.
  load.py listening PID PORT
      Exits 0 when process PID holds a listening TCP socket on PORT (from /proc: its descriptors' socket
      inodes against /proc/net/tcp and tcp6), 1 otherwise. With --reuse-port several processes may.
  load.py status SOCKET
      One line per server of HAProxy's backend "sws": NAME STATUS (from "show stat" on the stats socket).
"""
import http.client
import os
import random
import socket
import sys
import threading
import time
import urllib.parse


def status(sock_path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(sock_path)
    s.sendall(b"show stat\n")
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    lines = data.decode().splitlines()
    header = lines[0].lstrip("# ").split(",")
    px, sv, st = header.index("pxname"), header.index("svname"), header.index("status")
    for line in lines[1:]:
        f = line.split(",")
        if len(f) > st and f[px] == "sws" and f[sv] not in ("FRONTEND", "BACKEND"):
            print(f[sv], f[st])


def listening(pid, port):
    inodes = set()
    fd_dir = "/proc/%d/fd" % pid
    try:
        for fd in os.listdir(fd_dir):
            try:
                target = os.readlink(os.path.join(fd_dir, fd))
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        return False
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    local, state, inode = fields[1], fields[3], fields[9]
                    if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port and inode in inodes:
                        return True
        except OSError:
            pass
    return False


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def load(url, stop_file, window_file, threads, max_seconds, body_file):
    u = urllib.parse.urlsplit(url)
    host, port, path = u.hostname, u.port, u.path or "/"
    with open(body_file, "rb") as f:
        expected = f.read()
    deadline = time.time() + max_seconds
    lock = threading.Lock()
    samples = []  # (start epoch seconds, latency seconds) of each successful request
    failures = []  # (epoch seconds, text)
    stop = threading.Event()

    def worker(seed):
        rnd = random.Random(seed)
        mine, bad = [], []
        conn, left = None, 0
        while not stop.is_set():
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=10)
                left = rnd.randint(1, 40)
            t0 = time.time()
            try:
                conn.request("GET", path, headers={"User-Agent": "sws-rolling-restart"})
                r = conn.getresponse()
                body = r.read()
                t1 = time.time()
                if r.status != 200:
                    bad.append((t0, "status %d %s: %r" % (r.status, r.reason, body[:200])))
                elif body != expected:
                    bad.append((t0, "body of %d bytes, not the expected %d" % (len(body), len(expected))))
                else:
                    mine.append((t0, t1 - t0))
                left -= 1
                if left <= 0 or r.will_close:
                    conn.close()
                    conn = None
            except Exception as e:  # every error is a failed request
                bad.append((t0, "%s: %s" % (type(e).__name__, e)))
                try:
                    conn.close()
                except Exception:
                    pass
                conn = None
        if conn is not None:
            conn.close()
        with lock:
            samples.extend(mine)
            failures.extend(bad)

    workers = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for w in workers:
        w.start()
    while not os.path.exists(stop_file) and time.time() < deadline:
        time.sleep(0.05)
    stop.set()
    for w in workers:
        w.join(30)

    try:
        with open(window_file) as f:
            begin, end = (float(x) for x in f.read().split()[:2])
    except (OSError, ValueError):
        begin, end = 0.0, 0.0
    everything = sorted(l for _, l in samples)
    during = sorted(l for t, l in samples if begin <= t <= end)
    total = len(samples) + len(failures)
    print("requests %d" % total)
    print("failures %d" % len(failures))
    print(
        "latency overall: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d requests)"
        % (percentile(everything, 50) * 1e3, percentile(everything, 99) * 1e3,
           (everything[-1] if everything else float("nan")) * 1e3, len(everything))
    )
    print(
        "latency during restarts (%.1f s): p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d requests)"
        % (end - begin, percentile(during, 50) * 1e3, percentile(during, 99) * 1e3,
           (during[-1] if during else float("nan")) * 1e3, len(during))
    )
    seen = {}
    for t, text in sorted(failures):
        seen.setdefault(text, []).append(t)
    for text, times in seen.items():
        print("failure x%d (first at %.3f): %s" % (len(times), times[0], text))


if __name__ == "__main__":
    if sys.argv[1] == "listening":
        sys.exit(0 if listening(int(sys.argv[2]), int(sys.argv[3])) else 1)
    elif sys.argv[1] == "status":
        status(sys.argv[2])
    elif sys.argv[1] == "load":
        load(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), float(sys.argv[6]), sys.argv[7])
    else:
        sys.exit("usage: load.py load|status ...")
