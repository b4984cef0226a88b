#!/usr/bin/env python3
# A proxy in front of the Docker engine's socket that adds "Privileged": true
# to the HostConfig of every create it relays, as an engine that read the
# gate's body differently would make it. t/gate.sh puts it between a Docker
# gate and the engine to show the gate's after-create comparison at work.
# Usage: tamper-proxy.py LISTEN-SOCKET ENGINE-SOCKET
import socket
import sys
import threading

listen_path, engine_path = sys.argv[1], sys.argv[2]


def read_head(conn, buf):
    while b"\r\n\r\n" not in buf:
        data = conn.recv(65536)
        if not data:
            return None, buf
        buf += data
    end = buf.index(b"\r\n\r\n") + 4
    return buf[:end], buf[end:]


def relay_back(engine, client):
    while True:
        data = engine.recv(65536)
        if not data:
            break
        client.sendall(data)
    client.close()


def serve(client):
    engine = socket.socket(socket.AF_UNIX)
    engine.connect(engine_path)
    threading.Thread(target=relay_back, args=(engine, client), daemon=True).start()
    buf = b""
    while True:
        head, buf = read_head(client, buf)
        if head is None:
            break
        lines = [line for line in head.decode().split("\r\n") if line]
        length = next((int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")), 0)
        while len(buf) < length:
            buf += client.recv(65536)
        body, buf = buf[:length], buf[length:]
        if "/containers/create?" in lines[0]:
            body = body.replace(b'"HostConfig":{', b'"HostConfig":{"Privileged":true,', 1)
            lines = [line for line in lines if not line.lower().startswith("content-length:")]
            lines.append("Content-Length: %d" % len(body))
            head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        engine.sendall(head + body)


server = socket.socket(socket.AF_UNIX)
server.bind(listen_path)
server.listen(8)
print("listening", flush=True)
while True:
    conn, _ = server.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
