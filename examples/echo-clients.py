# Python clients for the echo servers in this directory: opens several
# connections at once, sends on them in turn, checks every echo, and
# prints "ok N BYTES".
#
#   python3 examples/echo-clients.py PORT [CONNECTIONS [ROUNDS]]
import socket
import sys

port = int(sys.argv[1])
count = int(sys.argv[2]) if len(sys.argv) > 2 else 5
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 20

conns = [socket.create_connection(('127.0.0.1', port), timeout=10) for _ in range(count)]
total = 0
for r in range(rounds):
    for i, conn in enumerate(conns):
        message = ('client %d round %d ' % (i, r)).encode() * (1 + r % 4)
        conn.sendall(message)
        echoed = b''
        while len(echoed) < len(message):
            chunk = conn.recv(len(message) - len(echoed))
            if not chunk:
                sys.exit('connection %d closed early' % i)
            echoed += chunk
        if echoed != message:
            sys.exit('connection %d: sent %r, got %r' % (i, message, echoed))
        total += len(echoed)
for conn in conns:
    conn.close()
print('ok', count, total)
