"""Evidence files (issue 14): upload and download of one large file through the app, printed as
figures.

1. upload: a multipart POST to "Add evidence" through the WSGI app (Werkzeug's test client with
   the body streamed from a file on disk, so the client holds none of it in memory; writing
   that body file is not timed): parsing,
   content checks, SHA-256, AES-256-GCM chunk sealing, the chunk rows and the audit entry;
2. download: the verified, streamed download of the same file, read chunk by chunk;
3. the same bytes through a bare AES-256-GCM loop (seal, then open, 1 MiB chunks) in the same
   run, as the ceiling the app is measured against;
4. memory: the process's peak RSS above its baseline (sampled every 5 ms), and in a
   second pass the peak of Python's own allocations (tracemalloc, which slows the code, so its
   pass is not timed). Target (issue 14): under 64 MB above baseline for a 100 MB file.

Run:  .venv/bin/python bench/evidence.py [--mb 100] [--database-url URL]
(SQLite in a temporary folder by default; give an empty PostgreSQL database to measure that).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import resource
import secrets
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from incidents import create_app
from incidents.config import Settings
from incidents.crypto.keyring import Keyring
from incidents.crypto.keys import generate
from incidents.db import Base, make_engine, make_session_factory
from incidents.models import EvidenceFile, Role
from tests import factories
from tests.case_routes import case_about
from tests.conftest import csrf_token, sign_in

MB = 1024 * 1024
CHUNK = MB
BOUNDARY = "benchboundary7f3a"


def rss_mb() -> float:
    """The process's resident memory now (Linux /proc), in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / MB


class Sampler:
    """The highest resident memory seen while a run goes on, sampled every 5 ms: unlike
    ru_maxrss, it is not hidden by a higher mark the process reached earlier."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb())
            time.sleep(0.005)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def make_file(folder: Path, size: int) -> Path:
    """A text file of `size` bytes (a long chat export): accepted by content, never held whole."""
    path = folder / "chat.txt"
    line = b"12:01 someone: a message in a long group chat export, line after line\n"
    with path.open("wb") as out:
        written = 0
        block = line * (MB // len(line))
        while written < size:
            part = block[: size - written]
            out.write(part)
            written += len(part)
    return path


def multipart_body(path: Path, fields: dict[str, str]) -> Path:
    """The request body, written to disk beside the file: the client streams it from there."""
    body = path.with_suffix(".body")
    with body.open("wb") as out:
        for name, value in fields.items():
            out.write(
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        out.write(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{path.name}"\r\nContent-Type: text/plain\r\n\r\n'.encode()
        )
        with path.open("rb") as handle:
            while block := handle.read(MB):
                out.write(block)
        out.write(f"\r\n--{BOUNDARY}--\r\n".encode())
    return body


def setup(folder: Path, url: str | None, file_mb: int) -> tuple[Flask, str]:
    url = url or f"sqlite:///{folder / 'bench.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    keyring = Keyring(generate("bench keys"))
    factory = make_session_factory(engine, keyring=keyring, audit_origin_base="bench.invalid")
    settings = Settings(
        env="testing",
        secret_key=secrets.token_urlsafe(48),
        database_url=url,
        instance_path=folder / "instance",
        session_cookie_secure=False,
        ratelimit_enabled=False,
        evidence_max_file_mb=file_mb + 1,
        evidence_max_case_mb=4 * file_mb,
    )
    app = create_app(overrides={"TESTING": True}, settings=settings, session_factory=factory)
    with factory() as db:
        school = factories.make_school(db)
        head = factories.make_user(db, school, Role.HEADTEACHER)
        factories.enrol_two_factor(db, head)
        case = case_about(db, head)
        db.commit()
        return app, f"/cases/{case.id}/evidence/add|{head.email}|{case.id}"


def upload(client: FlaskClient, path: Path, where: str) -> float:
    token = csrf_token(client, where)
    body = multipart_body(path, {"csrf_token": token, "source": "school", "description": "b"})
    with body.open("rb") as stream:
        started = time.perf_counter()
        response = client.post(
            where,
            input_stream=stream,
            content_length=body.stat().st_size,
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
        )
        took = time.perf_counter() - started
    body.unlink()
    if response.status_code != 302:
        raise SystemExit(f"upload refused: {response.status_code} {response.get_data()[:300]!r}")
    return took


def download(client: FlaskClient, url: str, expect: str) -> float:
    started = time.perf_counter()
    response = client.get(url, buffered=False)
    if response.status_code != 200:
        raise SystemExit(f"download refused: {response.status_code}")
    sha = hashlib.sha256()
    for block in response.response:
        sha.update(block)
    response.close()
    took = time.perf_counter() - started
    if sha.hexdigest() != expect:
        raise SystemExit("the download is not the file uploaded")
    return took


def bare_loop(path: Path) -> tuple[float, float]:
    key = AESGCM.generate_key(bit_length=256)
    aead = AESGCM(key)
    sealed: list[bytes] = []
    started = time.perf_counter()
    with path.open("rb") as handle:
        number = 0
        while block := handle.read(CHUNK):
            nonce = os.urandom(12)
            sealed.append(nonce + aead.encrypt(nonce, block, str(number).encode()))
            number += 1
    seal = time.perf_counter() - started
    started = time.perf_counter()
    for number, item in enumerate(sealed):
        aead.decrypt(item[:12], item[12:], str(number).encode())
    return seal, time.perf_counter() - started


def measured(run: Callable[[], float]) -> tuple[float, float, float]:
    """(seconds, peak RSS rise in MB, Python peak in MB: this pass is traced, not timed)."""
    gc.collect()
    before = rss_mb()
    with Sampler() as sampler:
        took = run()
    rise = sampler.peak - before
    gc.collect()
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return took, rise, peak / MB


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = make_file(folder, args.mb * MB)
        sha = hashlib.sha256()
        with path.open("rb") as handle:
            while block := handle.read(MB):
                sha.update(block)
        app, where = setup(folder, args.database_url, args.mb)
        add_url, email, case_id = where.split("|")
        client = app.test_client()
        sign_in(client, email)
        # Warm up (templates, first queries) on a small file, so the baseline is the worker's.
        (folder / "small").mkdir()
        upload(client, make_file(folder / "small", 1000), add_url)
        baseline = rss_mb()

        up, up_rise, up_peak = measured(lambda: upload(client, path, add_url))
        factory = app.extensions["incidents.sessions"]
        with factory() as db:
            newest = db.scalars(
                select(EvidenceFile.id)
                .where(EvidenceFile.size == args.mb * MB)
                .order_by(EvidenceFile.created_at.desc())
            ).first()
        url = f"/cases/{case_id}/evidence/{newest}/download"
        down, down_rise, down_peak = measured(lambda: download(client, url, sha.hexdigest()))
        seal, open_ = bare_loop(path)

    size = args.mb
    print(f"evidence bench: one {size} MB file, {args.database_url or 'SQLite (temporary file)'}")
    print(f"  baseline RSS after warm-up            {baseline:8.1f} MB")
    print(f"  upload through the app                {up:8.2f} s  {size / up:8.1f} MB/s")
    print(f"  download through the app (verified)   {down:8.2f} s  {size / down:8.1f} MB/s")
    print(f"  bare AES-256-GCM seal, 1 MiB chunks   {seal:8.2f} s  {size / seal:8.1f} MB/s")
    print(f"  bare AES-256-GCM open, 1 MiB chunks   {open_:8.2f} s  {size / open_:8.1f} MB/s")
    print(f"  upload: peak RSS above before         {up_rise:8.1f} MB  (target < 64 MB)")
    print(f"  download: peak RSS above before       {down_rise:8.1f} MB  (target < 64 MB)")
    print(f"  upload: Python allocations peak       {up_peak:8.1f} MB  (tracemalloc)")
    print(f"  download: Python allocations peak     {down_peak:8.1f} MB  (tracemalloc)")


if __name__ == "__main__":
    main()
