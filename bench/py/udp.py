"""W3 Python peer: 64-byte UDP datagrams over 127.0.0.1 with the plain
blocking socket module. The parent measures as receiver; a forked child
sends for BENCH_DURATION seconds, reports its count through a pipe, then
sends 1-byte end markers every 2 ms (at most 500)."""
import os
import signal
import socket
import time

from common import DURATION, emit, now_ms

SIZE = 64
MAX = 50_000_000


def main():
    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    r.bind(('127.0.0.1', 0))
    addr = r.getsockname()
    rp, wp = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            r.close()
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            msg = b'c' * SIZE
            t0 = now_ms()
            end = t0 + DURATION * 1000
            sent = 0
            while sent < MAX:
                s.sendto(msg, addr)
                sent += 1
                if (sent & 255) == 0 and now_ms() >= end:
                    break
            os.write(wp, b'%d %f\n' % (sent, now_ms() - t0))
            for _ in range(500):
                s.sendto(b'\0', addr)
                time.sleep(0.002)
        finally:
            os._exit(0)
    os.close(wp)
    received = 0
    t0 = 0.0
    while True:
        d, _ = r.recvfrom(2048)
        if len(d) == SIZE:
            if received == 0:
                t0 = now_ms()
            received += 1
        else:
            break
    ms = now_ms() - t0
    line = b''
    while not line.endswith(b'\n'):
        chunk = os.read(rp, 128)
        if not chunk:
            break
        line += chunk
    sent_s, sms_s = line.split()
    sent, sms = int(sent_s), float(sms_s)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    emit({'value': received / ms * 1000, 'unit': 'dgram/s', 'received': received, 'sent': sent,
          'loss_pct': 100.0 * (sent - received) / sent if sent else 0.0,
          'sent_per_s': sent / sms * 1000, 'ms': round(ms)})


main()
