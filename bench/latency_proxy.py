#!/usr/bin/env python3
"""A reverse proxy that adds a fixed delay to every request, so that a local S3 server answers
with a round trip like a remote one (AWS S3 from the same region: ~10 ms to first byte).

Every request is held for --latency-ms before it is forwarded to --upstream, then relayed both
ways; connections are kept alive, one upstream connection per client connection. Requests are
forwarded unchanged (the Host header included, so SigV4 signatures made for the proxy's address
still verify upstream) but for the hop-by-hop Expect and Proxy-Connection headers. Counts
requests and bytes and prints them on SIGTERM or SIGINT as one JSON line on stderr.

One asyncio event loop relays the bytes as they are (headers parsed only for the framing):
with a Python thread per connection, as this proxy had before, 128 connections contended for
the GIL and the proxy itself lowered the rate it passed (bench/RESULTS.md, daily job
throughput: 579 against 731 objects/s for the same binary).

Usage: bench/latency_proxy.py --upstream http://127.0.0.1:7480 [--listen 127.0.0.1:0]
                              [--latency-ms 10] [--port-file FILE]
It prints "http://127.0.0.1:PORT" on stdout once it listens (and writes it to --port-file).
"""

import argparse
import asyncio
import json
import signal
import sys
import urllib.parse

CHUNK = 256 * 1024
# A request body up to this size is read before it is sent, so that a request can be resent on a
# fresh upstream connection when the kept-alive one was closed while idle.
MAX_BUFFERED = 64 * 1024 * 1024
DROPPED = (b"expect", b"proxy-connection")


class Stats:
    def __init__(self):
        self.requests = 0
        self.bytes_up = 0
        self.bytes_down = 0


async def read_head(reader):
    """The bytes up to and including the blank line; None at a clean end of the stream."""
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as e:
        if e.partial.strip():
            raise ConnectionError("connection closed mid-header")
        return None


def parse_head(head):
    """(first line, {lowercased name: value}, head without the dropped headers)."""
    lines = head[:-4].split(b"\r\n")
    headers, kept = {}, [lines[0]]
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name in DROPPED:
            continue
        headers[name] = value.strip()
        kept.append(line)
    return lines[0], headers, b"\r\n".join(kept) + b"\r\n\r\n"


async def relay_chunked(reader, write):
    """Relays a chunked body as it is, through the last chunk and the trailers; returns its size."""
    total = 0
    while True:
        line = await reader.readuntil(b"\r\n")
        write(line)
        size = int(line.split(b";")[0].strip(), 16)
        if size == 0:
            while True:
                trailer = await reader.readuntil(b"\r\n")
                write(trailer)
                if trailer == b"\r\n":
                    return total
        write(await reader.readexactly(size + 2))
        total += size


async def relay_exact(reader, writer, length):
    left = length
    while left > 0:
        data = await reader.read(min(CHUNK, left))
        if not data:
            raise ConnectionError("connection closed mid-body")
        writer.write(data)
        left -= len(data)
        await writer.drain()
    return length


class Connection:
    """One client connection and its upstream connection."""

    def __init__(self, server, reader, writer):
        self.server, self.reader, self.writer = server, reader, writer
        self.up_reader = self.up_writer = None

    async def upstream(self):
        if self.up_writer is None:
            u = self.server.upstream
            self.up_reader, self.up_writer = await asyncio.open_connection(u.hostname, u.port)
        return self.up_reader, self.up_writer

    def close_upstream(self):
        if self.up_writer is not None:
            self.up_writer.close()
        self.up_reader = self.up_writer = None

    async def send_request(self, head, headers):
        """Sends the request upstream; returns (upstream reader, the response head, bytes sent)."""
        length = int(headers.get(b"content-length", b"0") or 0)
        chunked = b"chunked" in headers.get(b"transfer-encoding", b"").lower()
        body = None
        if not chunked and length <= MAX_BUFFERED:
            body = await self.reader.readexactly(length)
        for attempt in range(2):
            up_reader, up_writer = await self.upstream()
            try:
                up_writer.write(head)
                if body is not None:
                    up_writer.write(body)
                    sent = length
                elif chunked:
                    sent = await relay_chunked(self.reader, up_writer.write)
                else:
                    sent = await relay_exact(self.reader, up_writer, length)
                await up_writer.drain()
                resp_head = await read_head(up_reader)
                if resp_head is None:
                    raise ConnectionError("upstream closed the connection")
                return up_reader, resp_head, sent
            except (ConnectionError, asyncio.IncompleteReadError):
                # A kept-alive upstream connection closed while idle: resend once, if the body
                # is still at hand.
                self.close_upstream()
                if attempt == 1 or body is None:
                    raise

    async def relay_response(self, method, up_reader, resp_head):
        """Relays the final response (after any 1xx); returns (bytes, whether to close)."""
        while True:
            status_line, headers, _ = parse_head(resp_head)
            status = int(status_line.split(b" ")[1])
            self.writer.write(resp_head)
            if status >= 200:
                break
            resp_head = await read_head(up_reader)
            if resp_head is None:
                raise ConnectionError("upstream closed the connection after a 1xx")
        upstream_closes = headers.get(b"connection", b"").lower() == b"close"
        if method == b"HEAD" or status in (204, 304):
            return 0, upstream_closes
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            return await relay_chunked(up_reader, self.writer.write), upstream_closes
        if b"content-length" in headers:
            return await relay_exact(up_reader, self.writer, int(headers[b"content-length"])), upstream_closes
        down = 0  # delimited by the end of the connection
        while data := await up_reader.read(CHUNK):
            self.writer.write(data)
            down += len(data)
        return down, True

    async def serve(self):
        try:
            while (head := await read_head(self.reader)) is not None:
                request_line, headers, head = parse_head(head)
                await asyncio.sleep(self.server.latency)
                up_reader, resp_head, sent = await self.send_request(head, headers)
                down, upstream_closes = await self.relay_response(request_line.split(b" ")[0], up_reader, resp_head)
                await self.writer.drain()
                stats = self.server.stats
                stats.requests += 1
                stats.bytes_up += sent
                stats.bytes_down += down
                if upstream_closes:
                    self.close_upstream()
                if headers.get(b"connection", b"").lower() == b"close" or upstream_closes:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass  # clients that hang up mid-request are part of the game
        finally:
            self.close_upstream()
            self.writer.close()


async def serve(args):
    host, port = args.listen.rsplit(":", 1)
    if host not in ("127.0.0.1", "localhost"):
        raise SystemExit("latency_proxy listens on loopback only")
    state = argparse.Namespace(upstream=urllib.parse.urlsplit(args.upstream), latency=args.latency_ms / 1000.0,
                               stats=Stats())

    async def on_client(reader, writer):
        await Connection(state, reader, writer).serve()

    server = await asyncio.start_server(on_client, host, int(port), backlog=1024, limit=1024 * 1024)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopped.set)
    if args.port_file:
        with open(args.port_file, "w") as f:
            f.write(url + "\n")
    print(url, flush=True)
    await stopped.wait()
    server.close()  # kept-alive connections are not waited for: the process ends
    s = state.stats
    sys.stderr.write(json.dumps({"requests": s.requests, "bytes_up": s.bytes_up, "bytes_down": s.bytes_down}) + "\n")
    sys.stderr.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--listen", default="127.0.0.1:0")
    ap.add_argument("--latency-ms", type=float, default=10.0)
    ap.add_argument("--port-file")
    asyncio.run(serve(ap.parse_args()))


if __name__ == "__main__":
    main()
