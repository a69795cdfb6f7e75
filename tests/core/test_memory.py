"""Issue 14 items 11-12: oversized bodies and archive bombs cost bounded memory (peak RSS measured).

The web server is a real uvicorn process serving ``config.asgi`` (as ``scripts/serve.sh`` does); its
resident memory is sampled every 20 ms while 150 MB bodies arrive, declared and chunked. The figures of
the last run are in docs/security.md.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path

import psutil
import pytest

from core.files import ArchiveRejected, check_xlsx

BODY = 150 * 2**20
ROOT = Path(__file__).resolve().parents[2]


class _PeakRSS(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.baseline = self.peak = self.process.memory_info().rss
        self.running = True

    def run(self):
        while self.running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.02)

    def stop(self) -> int:
        self.running = False
        self.join()
        return self.peak - self.baseline


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = {**os.environ, "SPIELRAUM_VAR_DIR": str(tmp_path), "SPIELRAUM_TASK_MODE": "eager"}
    env.pop("DATABASE_URL", None)  # no database is touched: the answers come before Django reads
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("uvicorn did not start")
    yield proc, port
    proc.terminate()
    proc.wait(timeout=20)


def _post(port: int, headers: str, chunks) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(f"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode())
        try:
            for chunk in chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: what we want
        sock.settimeout(10)
        try:
            return sock.recv(4096)
        except (ConnectionResetError, TimeoutError):
            return b""


def test_a_declared_150_mb_body_is_refused_without_reading_it(server):
    proc, port = server
    sampler = _PeakRSS(proc.pid)
    sampler.start()
    piece = b"x" * 2**20
    answer = _post(
        port,
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {BODY}\r\n",
        (piece for _ in range(BODY // len(piece))),
    )
    growth = sampler.stop()
    print(f"\ndeclared 150 MB: answer {answer[:12]!r}, peak RSS growth {growth / 2**20:.1f} MB")
    assert answer.startswith(b"HTTP/1.1 413")
    assert growth < 30 * 2**20


def test_a_chunked_150_mb_body_is_cut_off_with_bounded_memory(server):
    proc, port = server
    sampler = _PeakRSS(proc.pid)
    sampler.start()
    piece = b"x" * 2**20
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    answer = _post(
        port,
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
        (chunk for _ in range(BODY // len(piece))),
    )
    growth = sampler.stop()
    print(f"\nchunked 150 MB: answer {answer[:12]!r}, peak RSS growth {growth / 2**20:.1f} MB")
    assert answer.startswith(b"HTTP/1.1 413")
    assert growth < 60 * 2**20


def test_an_xlsx_bomb_is_refused_in_milliseconds_and_kilobytes():
    # Given a 1 MB-compressed sheet that expands to 520 MB of XML (the finding's file)
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry,
    ):
        row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 20_000
        for _ in range(520 * 2**20 // len(row)):
            entry.write(row)
    bomb = buffer.getvalue()
    # When it is checked before parsing
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ArchiveRejected):
        check_xlsx(bomb)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    size, ms, kb = len(bomb) / 2**20, seconds * 1000, peak / 2**10
    print(f"\nXLSX bomb {size:.1f} MB -> 520 MB: refused in {ms:.0f} ms, peak {kb:.0f} KB")
    # Then it is refused at once, with a few hundred kilobytes at most
    assert seconds < 1
    assert peak < 2 * 2**20
