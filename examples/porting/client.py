# A line client in Python: sends two lines and prints the replies.
import socket
import sys

port = int(sys.argv[1]) if len(sys.argv) > 1 else 8007
with socket.create_connection(('127.0.0.1', port), timeout=5) as sock:
    with sock.makefile('rw', encoding='utf-8') as f:
        for word in ['hello', 'world']:
            f.write(word + '\n')
            f.flush()
            print(f.readline().strip())
