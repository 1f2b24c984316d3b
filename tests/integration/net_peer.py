#!/usr/bin/env python3
"""A tiny TCP/UDP peer for the network tests (tests/integration/network_nft.bats).

    net_peer.py serve tcp|udp ADDR PORT READYFILE   answers every client with
        "from <client address>" until killed (at most 120 s); READYFILE is
        written once the socket is bound
    net_peer.py ask tcp|udp ADDR PORT [SECONDS]     sends one message, prints the
        answer; exit 1 when none comes within SECONDS (default 2)
"""
import socket
import sys


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def serve(proto, addr, port, ready):
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(family(addr), kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.settimeout(120)
    if proto == "tcp":
        s.listen(16)
    with open(ready, "w") as f:
        f.write("ready\n")
    while True:
        if proto == "tcp":
            c, peer = s.accept()
            with c:
                c.settimeout(5)
                c.recv(64)
                c.sendall(("from %s\n" % peer[0]).encode())
        else:
            _, peer = s.recvfrom(64)
            s.sendto(("from %s\n" % peer[0]).encode(), peer)


def ask(proto, addr, port, seconds):
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(family(addr), kind)
    s.settimeout(seconds)
    try:
        if proto == "tcp":
            s.connect((addr, port))
            s.sendall(b"hi\n")
            data = s.recv(64)
        else:
            s.sendto(b"hi\n", (addr, port))
            data, _ = s.recvfrom(64)
    except OSError as e:
        print("no answer: %s" % e, file=sys.stderr)
        return 1
    sys.stdout.write(data.decode())
    return 0 if data else 1


def main():
    if len(sys.argv) >= 6 and sys.argv[1] == "serve":
        try:
            serve(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
        except socket.timeout:
            return 0
    elif len(sys.argv) >= 5 and sys.argv[1] == "ask":
        seconds = float(sys.argv[5]) if len(sys.argv) > 5 else 2.0
        return ask(sys.argv[2], sys.argv[3], int(sys.argv[4]), seconds)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
