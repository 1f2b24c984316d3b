#!/usr/bin/env python3
"""The "outside" server of tests/integration/network_bridge.bats: on TCP and
UDP PORT at ADDR it answers each client with the address it came from
("peer 198.19.255.1"), so that a test sees whether NAT rewrote it."""
import socket
import sys
import threading

addr, port = sys.argv[1], int(sys.argv[2])


def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    while True:
        _, peer = s.recvfrom(2048)
        s.sendto(("peer %s\n" % peer[0]).encode(), peer)


threading.Thread(target=udp, daemon=True).start()
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind((addr, port))
t.listen(64)
print("ready", flush=True)
while True:
    c, peer = t.accept()
    c.sendall(("peer %s\n" % peer[0]).encode())
    c.close()
