"""The HTTP server's bounds on a request head, attacked with raw sockets against the real `tessera serve`: header
bytes, header count and the time a client may take to send its head. Without them one client holds memory and
connections for as long as it likes (slowloris), before any of the service's own limits is reached."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from tessera.localdb import free_port

from tests.api_support import SECRET, login_conninfo, serve
from tests.helpers import ROOT, run_tessera

HEADER_BYTES = 16384
HEADERS = 100
HEADER_TIMEOUT = 2.0


@pytest.fixture(scope="module")
def bounded(rpc_db, tmp_path_factory):
    """The defaults for size and count, a short header timeout so the slow tests stay short."""
    with serve(login_conninfo(rpc_db), tmp_path_factory.mktemp("limits"), header_timeout=str(HEADER_TIMEOUT)) as api:
        yield api


def connect(api) -> socket.socket:
    parts = urlsplit(api.url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    return sock


def head(*lines: str) -> bytes:
    return ("GET /health HTTP/1.1\r\nHost: test\r\n" + "".join(f"{line}\r\n" for line in lines) + "\r\n").encode()


def exchange(api, data: bytes) -> tuple[int | None, dict, bytes]:
    """Send `data` (tolerating a server that stops reading), then read the answer until the server closes:
    (status, headers, body), status None when it closed without answering."""
    with connect(api) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        return read_answer(sock)


def read_answer(sock: socket.socket) -> tuple[int | None, dict, bytes]:
    received = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            received += chunk
            if b"\r\n\r\n" in received:
                top, _, rest = received.partition(b"\r\n\r\n")
                headers = dict(line.split(": ", 1) for line in top.decode("latin-1").split("\r\n")[1:])
                length = int(headers.get("content-length", "0"))
                if len(rest) >= length:
                    break
    if not received:
        return None, {}, b""
    top, _, body = received.partition(b"\r\n\r\n")
    lines = top.decode("latin-1").split("\r\n")
    headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def assert_refused(answer, status: int, words: str) -> None:
    code, headers, body = answer
    assert code == status, answer
    error = json.loads(body)
    assert set(error) == {"code", "message", "details", "hint"} and error["code"] == str(status)
    assert words in error["details"]
    assert headers["connection"] == "close"


def test_a_head_within_the_limits_is_served(bounded):
    filler = "x" * (HEADER_BYTES - 2000)
    code, _, body = exchange(bounded, head(f"X-Filler: {filler}", *(f"X-N{i}: {i}" for i in range(HEADERS - 3))))
    assert code == 200 and json.loads(body)["status"] == "ok"


@pytest.mark.parametrize("size", [HEADER_BYTES + 1, 1024 * 1024, 50 * 1024 * 1024])
def test_a_head_over_the_byte_limit_is_431_and_the_connection_closed(bounded, size):
    assert_refused(exchange(bounded, head(f"X-Big: {'a' * size}")), 431, f"{HEADER_BYTES} bytes")


def test_many_small_headers_adding_up_over_the_byte_limit_are_431(bounded):
    lines = [f"X-{i}: {'b' * 60}" for i in range(HEADER_BYTES // 60)]
    assert_refused(exchange(bounded, head(*lines)), 431, "bytes")


def test_a_long_request_line_counts_towards_the_limit(bounded):
    data = f"GET /health?{'q' * (HEADER_BYTES + 10)} HTTP/1.1\r\nHost: test\r\n\r\n".encode()
    assert_refused(exchange(bounded, data), 431, "bytes")


def test_more_header_fields_than_allowed_are_431(bounded):
    assert_refused(exchange(bounded, head(*(f"X-{i}: 1" for i in range(HEADERS)))), 431, f"{HEADERS} header fields")


def test_a_slowloris_socket_is_closed_after_the_header_timeout(bounded):
    with connect(bounded) as sock:
        began = time.monotonic()
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n")
        sock.settimeout(0.5)
        code = None
        while time.monotonic() - began < HEADER_TIMEOUT + 5:
            try:
                sock.sendall(b"X-Drip: 1\r\n")  # a header every half second: never finishing the head
            except (BrokenPipeError, ConnectionResetError):
                break
            try:
                data = sock.recv(65536)
            except TimeoutError:
                continue
            except ConnectionResetError:
                break
            if not data:
                break
            code = int(data.split()[1])
        waited = time.monotonic() - began
    assert HEADER_TIMEOUT - 0.2 < waited < HEADER_TIMEOUT + 2, waited
    assert code in (None, 408)


def test_a_connection_that_sends_nothing_is_closed_after_the_header_timeout(bounded):
    with connect(bounded) as sock:
        began = time.monotonic()
        status, _, _ = read_answer(sock)
        waited = time.monotonic() - began
    assert HEADER_TIMEOUT - 0.2 < waited < HEADER_TIMEOUT + 2 and status in (None, 408)


def test_a_keep_alive_connection_has_the_timeout_for_each_request_head(bounded):
    with connect(bounded) as sock:
        sock.sendall(head())
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /health HTTP/1.1\r\n")  # the next head, never finished
        began = time.monotonic()
        read_answer(sock)
        assert time.monotonic() - began < HEADER_TIMEOUT + 2


def test_a_slow_but_steady_client_is_not_cut_off_within_the_timeout(bounded):
    with connect(bounded) as sock:
        for part in (b"GET /health HTTP/1.1\r\n", b"Host: test\r\n", b"X-A: 1\r\n", b"\r\n"):
            sock.sendall(part)
            time.sleep(HEADER_TIMEOUT / 5)
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 200")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_memory_stays_bounded_with_twenty_connections_sending_huge_unfinished_heads(bounded):
    assert httpx.get(f"{bounded.url}/health").status_code == 200
    before = rss_kb(bounded.proc.pid)
    chunk = b"a" * (1024 * 1024)
    sockets = []
    try:
        for _ in range(20):
            sock = connect(bounded)
            sockets.append(sock)
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\nX-Huge: ")
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                for _ in range(25):  # 25 MB, the head never finished
                    sock.sendall(chunk)
        time.sleep(0.5)
        grown = rss_kb(bounded.proc.pid) - before
    finally:
        for sock in sockets:
            sock.close()
    print(f"RSS before {before} kB, grown by {grown} kB with 20 unfinished 25 MB heads")
    assert grown < 20 * 1024, f"the server grew by {grown} kB"
    assert httpx.get(f"{bounded.url}/health").status_code == 200


def test_two_hundred_slow_sockets_are_all_closed_after_the_header_timeout(bounded):
    sockets = [connect(bounded) for _ in range(200)]
    try:
        for sock in sockets:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\nX-Slow: ")
        time.sleep(HEADER_TIMEOUT + 1.5)
        answers = []
        for sock in sockets:
            sock.settimeout(2)
            answers.append(read_answer(sock)[0])
    finally:
        for sock in sockets:
            sock.close()
    assert answers == [408] * 200
    assert httpx.get(f"{bounded.url}/health").status_code == 200


@pytest.mark.parametrize(("name", "value", "says"), [
    ("MAX_HEADER_BYTES", "lots", "TESSERA_MAX_HEADER_BYTES='lots' is not a whole number; give a whole number"),
    ("MAX_HEADER_BYTES", "100", "TESSERA_MAX_HEADER_BYTES must be at least 1024"),
    ("MAX_HEADERS", "5", "TESSERA_MAX_HEADERS must be at least 10"),
    ("HEADER_TIMEOUT", "0", "TESSERA_HEADER_TIMEOUT must be at least 0.1"),
])
def test_bad_head_limits_stop_the_service_with_one_line(rpc_db, name, value, says):
    run = run_tessera("serve", "--port", str(free_port()), cwd=ROOT, timeout=30,
                      env={"TESSERA_JWT_SECRET": SECRET, "TESSERA_DATABASE_URL": login_conninfo(rpc_db),
                           f"TESSERA_{name}": value})
    assert run.code == 2 and run.err.strip().splitlines() == [f"tessera: {says}"], run.err
