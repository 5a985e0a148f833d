#!/usr/bin/env python3
"""Connection abuse for the fleet tests.

    slow_clients.py slow HOST PORT WAIT    a client (with the key $DD_KEY) that sends half a
                                           request and stalls: exit 0 when the server waited at
                                           least a second and closed it within WAIT seconds
    slow_clients.py flood HOST PORT LIMIT  holds LIMIT idle connections and sends 10 more
                                           requests: no more than LIMIT are served at once, and
                                           the server answers /healthz after they go
"""
import os
import socket
import sys
import time


def healthz(host, port):
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    s.close()
    return data.startswith(b"HTTP/1.1 200")


def slow(host, port, wait):
    # a valid key, so the server waits for the body rather than answering 401 at once
    key = os.environ["DD_KEY"].encode()
    s = socket.create_connection((host, port), timeout=wait + 5)
    s.sendall(b"POST /api/v1/images?repository=x HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + key +
              b"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
    t0 = time.monotonic()
    try:
        data = s.recv(4096)  # blocks until the server answers or closes
        while data:
            data = s.recv(4096)
    except (ConnectionResetError, socket.timeout):
        pass
    took = time.monotonic() - t0
    print(f"slow client dropped after {took:.1f} s")
    return 0 if 1.0 <= took <= wait else 1


def state(s):
    """"closed", "503", "200" or "pending" for a socket that sent (or not) a request."""
    s.setblocking(False)
    try:
        data = s.recv(4096)
    except BlockingIOError:
        return "pending"
    except ConnectionResetError:
        return "closed"
    if data == b"":
        return "closed"
    return data[9:12].decode(errors="replace")


def flood(host, port, limit):
    """Holds `limit` idle connections, then sends 10 more requests: while the holders stay, the
    server may serve no more than `limit` connections at once; the others are refused, closed,
    answered 503 or left waiting. Once the holders go, the server answers again."""
    holders, extras, refused = [], [], 0
    for _ in range(limit):
        try:
            holders.append(socket.create_connection((host, port), timeout=5))
        except OSError:
            refused += 1
    time.sleep(0.3)
    for _ in range(10):
        try:
            s = socket.create_connection((host, port), timeout=5)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            extras.append(s)
        except OSError:
            refused += 1
    time.sleep(1.0)
    hs = [state(s) for s in holders]
    es = [state(s) for s in extras]
    held = sum(1 for x in hs if x == "pending")
    served = es.count("200")
    print(f"limit {limit}: {held} idle connections held, extra requests: {served} served, "
          f"{es.count('503')} answered 503, {es.count('closed') + refused} closed or refused, "
          f"{es.count('pending')} waiting")
    for s in holders + extras:
        s.close()
    ok = False
    for _ in range(50):
        try:
            ok = healthz(host, port)
        except OSError:
            ok = False
        if ok:
            break
        time.sleep(0.1)
    print("healthz after the flood:", ok)
    return 0 if held + served <= limit and served < 10 and ok else 1


if __name__ == "__main__":
    mode, host, port, arg = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    sys.exit(slow(host, port, arg) if mode == "slow" else flood(host, port, arg))
