"""A load driver for the benchmarks that send many different requests: each request sent once, by `senders`
concurrent keep-alive HTTP/1.1 connections, timed one by one.

The requests are serialized before the clock starts and the answers read with asyncio's streams alone, so the
driver costs a few tens of microseconds a request. An HTTP client library on this 2-core machine costs ten times
that, and a bench measuring it would report the client's speed, not the service's. wrk is lighter still, but it
repeats one request; these benches need every webhook and every ticket different, each sent exactly once.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from dataclasses import dataclass


@dataclass
class Answer:
    status: int
    body: bytes
    ms: float

    def json(self):
        return json.loads(self.body)


def request_bytes(url: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """A POST of body to path, as it goes on the wire."""
    host = urllib.parse.urlsplit(url).netloc
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}",
             *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def send_all(url: str, requests: list[bytes], senders: int) -> tuple[float, list[Answer]]:
    """Every request sent once (in order, by whichever connection is free); the seconds it took and the answers,
    in the order of requests."""
    parts = urllib.parse.urlsplit(url)
    answers: list[Answer | None] = [None] * len(requests)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(len(requests)):
        queue.put_nowait(index)

    async def sender() -> None:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            while not queue.empty():
                index = queue.get_nowait()
                began = time.perf_counter()
                writer.write(requests[index])
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length)
                answers[index] = Answer(status, body, (time.perf_counter() - began) * 1000)
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(senders)))
    return time.perf_counter() - began, [a for a in answers if a is not None]
