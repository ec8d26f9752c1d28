"""W2 / W4 Python peer: 64-byte ping-pong over TCP (127.0.0.1, TCP_NODELAY)
or an AF_UNIX stream path with the plain blocking socket module. The parent
measures as client; a forked child is the echo server.
usage: pingpong.py tcp|unix"""
import os
import socket
import sys

from common import DURATION, TMP, WARMUP, emit, now_ms

MSG = 64


def nodelay(s, tcp):
    if tcp:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def loop(c, ms):
    msg = b'a' * MSG
    t0 = now_ms()
    end = t0 + ms
    n = 0
    while True:
        c.sendall(msg)
        got = 0
        while got < MSG:
            d = c.recv(MSG - got)
            if not d:
                raise RuntimeError('server closed')
            got += len(d)
        n += 1
        if (n & 63) == 0 and now_ms() >= end:
            break
    return n, now_ms() - t0


def main():
    tcp = not (len(sys.argv) > 1 and sys.argv[1] == 'unix')
    if tcp:
        srv = socket.create_server(('127.0.0.1', 0))
        addr = srv.getsockname()
        fam = socket.AF_INET
    else:
        addr = os.path.join(TMP, 'py-pp-%d.sock' % os.getpid())
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(addr)
        srv.listen()
        fam = socket.AF_UNIX
    pid = os.fork()
    if pid == 0:
        try:
            c, _ = srv.accept()
            nodelay(c, tcp)
            while True:
                d = c.recv(4096)
                if not d:
                    break
                c.sendall(d)
        finally:
            os._exit(0)
    srv.close()
    c = socket.socket(fam, socket.SOCK_STREAM)
    c.connect(addr)
    nodelay(c, tcp)
    loop(c, WARMUP * 1000)
    n, ms = loop(c, DURATION * 1000)
    c.close()
    os.waitpid(pid, 0)
    if not tcp:
        os.unlink(addr)
    emit({'value': n / ms * 1000, 'unit': 'rt/s', 'roundtrips': n, 'ms': round(ms)})


main()
