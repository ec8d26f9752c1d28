"""W6 Python peer: 1-byte send + recv on a socketpair in one thread; ns per pair."""
import socket

from common import DURATION, WARMUP, emit, now_ms


def loop(a, b, ms):
    one = b'x'
    t0 = now_ms()
    end = t0 + ms
    n = 0
    while True:
        a.send(one)
        if len(b.recv(1)) != 1:
            raise RuntimeError('short recv')
        n += 1
        if (n & 1023) == 0 and now_ms() >= end:
            break
    return n, now_ms() - t0


def main():
    a, b = socket.socketpair()
    loop(a, b, WARMUP * 1000)
    n, ms = loop(a, b, DURATION * 1000)
    emit({'value': ms * 1e6 / n, 'unit': 'ns/pair', 'pairs': n, 'ms': round(ms)})


main()
