#!/usr/bin/python3
"""Unix-socket listener standing in for `auditalert run --input unix:PATH` in the wrapper tests.

listener.py SOCKET OUTFILE [--delay SECONDS] [--read-limit BYTES]
Accepts connections one after another and appends every byte received to OUTFILE.
--delay: after accepting a connection, wait this long before reading it (a slow service).
--read-limit: read only this many bytes of the first connection, then close it with the rest unread
(a service that crashes with records still queued to it).
--stop-after: after this many bytes of the first connection, write "stop" and read on to the end
(a service that stops as auditalert does).
Writes "ready" to stdout once listening. Stops on SIGTERM.
"""
import os
import signal
import socket
import sys
import time


def main():
    args = sys.argv[1:]
    delay = 0.0
    if "--delay" in args:
        i = args.index("--delay")
        delay = float(args[i + 1])
        del args[i:i + 2]
    read_limit = None
    if "--read-limit" in args:
        i = args.index("--read-limit")
        read_limit = int(args[i + 1])
        del args[i:i + 2]
    stop_after = None
    if "--stop-after" in args:
        i = args.index("--stop-after")
        stop_after = int(args[i + 1])
        del args[i:i + 2]
    path, outfile = args
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(4)
    print("ready", flush=True)
    connections = 0
    with open(outfile, "ab", buffering=0) as out:
        while True:
            conn, _ = srv.accept()
            connections += 1
            with open(outfile + ".connections", "w") as f:
                f.write(str(connections))
            if delay:
                time.sleep(delay)
            with conn:
                left = read_limit if connections == 1 else None
                until_stop = stop_after if connections == 1 else None
                while left is None or left > 0:
                    data = conn.recv(65536 if left is None else min(left, 65536))
                    if not data:
                        break
                    out.write(data)
                    if left is not None:
                        left -= len(data)
                    if until_stop is not None:
                        until_stop -= len(data)
                        if until_stop <= 0:
                            conn.sendall(b"stop\n")
                            until_stop = None


if __name__ == "__main__":
    main()
