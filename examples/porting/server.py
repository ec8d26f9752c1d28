# A line server in Python: replies to each line with the line in capitals.
import socket
import sys

port = int(sys.argv[1]) if len(sys.argv) > 1 else 8007
with socket.create_server(('127.0.0.1', port)) as server:
    print('listening on', server.getsockname()[1], flush=True)
    conn, addr = server.accept()
    with conn, conn.makefile('rw', encoding='utf-8', newline='\n') as f:
        for line in f:
            f.write(line.upper())
            f.flush()
