"""Content-addressed blobs with resumable uploads (tus-like ``Upload-Offset``/``Upload-Length``).

A blob under upload lives in ``partial/<hex>`` with its declared length beside it; when the last
byte arrives the sha256 is checked and the file moves to ``<hex[:2]>/<hex>`` (atomic rename), so a
complete blob is always exactly the bytes its name promises. A lock file serialises writers of one
blob across processes.
"""
import fcntl
import hashlib
import os
import re
from contextlib import contextmanager
from pathlib import Path

HEX = re.compile(r"^[0-9a-f]{64}$")


class BlobError(Exception):
    """Base of the upload failures; each maps to one problem type in the server."""


class OffsetMismatch(BlobError):
    def __init__(self, expected):
        super().__init__(f"Upload-Offset must be {expected}")
        self.expected = expected


class HashMismatch(BlobError):
    """The bytes do not hash to the blob's name; the upload was discarded."""


class BlobTooLarge(BlobError):
    """Upload-Length above the store's limit."""


class BadUpload(BlobError):
    """A header is missing or inconsistent; ``errors`` names it."""

    def __init__(self, msg, field):
        super().__init__(msg)
        self.errors = {field: [msg]}


def hex_of(ref: str) -> str:
    """``sha256:<hex>`` or bare hex → hex."""
    return ref.split(":", 1)[1] if ref.startswith("sha256:") else ref


class BlobStore:
    def __init__(self, root, max_bytes: int):
        self.root, self.max_bytes = Path(root), max_bytes
        (self.root / "partial").mkdir(parents=True, exist_ok=True)

    def path(self, hex_: str) -> Path:
        return self.root / hex_[:2] / hex_

    def partial(self, hex_: str) -> Path:
        return self.root / "partial" / hex_

    def complete(self, ref: str) -> bool:
        hex_ = hex_of(ref)
        return bool(HEX.match(hex_)) and self.path(hex_).exists()

    def status(self, hex_: str):
        """(offset, length) of a blob, or None when the server has never heard of it."""
        if self.path(hex_).exists():
            size = self.path(hex_).stat().st_size
            return size, size
        length_file = self.partial(hex_).with_suffix(".length")
        if not length_file.exists():
            return None
        data = self.partial(hex_)
        return (data.stat().st_size if data.exists() else 0), int(length_file.read_text())

    @contextmanager
    def locked(self, hex_: str):
        with open(self.partial(hex_).with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def write(self, hex_: str, offset: int, length, chunk: bytes) -> tuple[int, int]:
        """Append ``chunk`` at ``offset``; returns (new offset, length). Finishes the blob at the end."""
        with self.locked(hex_):
            current = self.status(hex_)
            if current is None:
                if length is None:
                    raise BadUpload("Upload-Length is required on the first chunk", "Upload-Length")
                if length > self.max_bytes:
                    raise BlobTooLarge(f"blob of {length} bytes is above the limit of {self.max_bytes}")
                self.partial(hex_).with_suffix(".length").write_text(str(length))
                current = (0, length)
            stored, total = current
            if length is not None and length != total:
                raise BadUpload(f"Upload-Length is {total} for this blob", "Upload-Length")
            if offset != stored:
                raise OffsetMismatch(stored)
            if stored == total and self.path(hex_).exists():
                return stored, total
            if stored + len(chunk) > total:
                raise BadUpload("the chunk goes beyond Upload-Length", "Upload-Length")
            with open(self.partial(hex_), "ab") as out:
                out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            stored += len(chunk)
            if stored == total:
                self.finish(hex_)
            return stored, total

    def finish(self, hex_: str):
        data = self.partial(hex_)
        if not data.exists():
            data.touch()
        digest = hashlib.sha256(data.read_bytes()).hexdigest()
        if digest != hex_:
            self.discard(hex_)
            raise HashMismatch(f"the upload hashes to {digest}, not {hex_}; it was discarded")
        self.path(hex_).parent.mkdir(exist_ok=True)
        os.replace(data, self.path(hex_))
        self.partial(hex_).with_suffix(".length").unlink(missing_ok=True)

    def discard(self, hex_: str):
        self.partial(hex_).unlink(missing_ok=True)
        self.partial(hex_).with_suffix(".length").unlink(missing_ok=True)

    def put(self, data: bytes) -> str:
        """Store bytes the server made itself (a signed PDF); returns their ``sha256:`` reference."""
        hex_ = hashlib.sha256(data).hexdigest()
        if not self.path(hex_).exists():
            with self.locked(hex_):
                staging = self.partial(hex_).with_suffix(".put")
                staging.write_bytes(data)
                self.path(hex_).parent.mkdir(exist_ok=True)
                os.replace(staging, self.path(hex_))
        return f"sha256:{hex_}"

    def read(self, ref: str) -> bytes:
        return self.path(hex_of(ref)).read_bytes()
