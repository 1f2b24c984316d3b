#!/usr/bin/env python3
"""The "outside" server of tests/integration/network_bridge.bats: on TCP
PORT and UDP UDPPORT at ADDR it answers each client with the address it came
from ("peer 198.19.255.1"), so that a test sees whether NAT rewrote it; each
UDP peer is also printed ("udp peer 198.19.255.1")."""
import socket
import sys
import threading

addr, port, udp_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, udp_port))
    while True:
        _, peer = s.recvfrom(2048)
        print("udp peer %s" % peer[0], flush=True)
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
