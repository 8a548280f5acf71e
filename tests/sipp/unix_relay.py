#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""unix_relay.py - a TCP to Unix-socket relay standing in for the network
between a serve node and Redis (serve_redis_outage.sh): killing it by PID
cuts the node off while Redis stays up for every other client.

  unix_relay.py LISTEN_PORT UNIX_SOCKET LIFETIME_S
"""
import socket
import sys
import threading
import time


def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def main(argv):
    port, path, life = int(argv[1]), argv[2], float(argv[3])
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(16)
    ls.settimeout(0.5)
    end = time.monotonic() + life
    while time.monotonic() < end:
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        u = socket.socket(socket.AF_UNIX)
        try:
            u.connect(path)
        except OSError:
            c.close()
            continue
        for x, y in ((c, u), (u, c)):
            threading.Thread(target=pump, args=(x, y), daemon=True).start()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
