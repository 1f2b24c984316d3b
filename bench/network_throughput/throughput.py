#!/usr/bin/env python3
"""TCP bulk throughput for bench/network_throughput/run.sh.

    throughput.py sink ADDR PORT READYFILE   one connection: prints the bytes
        received and the seconds from accept to EOF ("BYTES SECONDS"),
        writing READYFILE once listening; gives up after 60 s
    throughput.py send ADDR PORT SECONDS     sends zeros for SECONDS, then closes
"""
import socket
import sys
import time

CHUNK = 1 << 20


def sink(addr, port, ready):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1)
    s.settimeout(60)
    with open(ready, "w") as f:
        f.write("ready\n")
    c, _ = s.accept()
    c.settimeout(60)
    buf = bytearray(CHUNK)
    total = 0
    start = time.monotonic()
    while True:
        n = c.recv_into(buf)
        if n == 0:
            break
        total += n
    print(total, time.monotonic() - start)


def send(addr, port, seconds):
    s = socket.create_connection((addr, port), timeout=10)
    data = bytes(CHUNK)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        s.sendall(data)
    s.close()


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "sink":
        sink(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) == 5 and sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    else:
        sys.exit(__doc__)
