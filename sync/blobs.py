"""Content-addressed blobs with resumable uploads (tus-like ``Upload-Offset``/``Upload-Length``).

A blob under upload lives in ``partial/<owner>/<hex>`` (one directory per uploading device) with
its declared length beside it; when the last byte arrives the sha256 is checked and the file moves
to ``<hex[:2]>/<hex>`` (atomic rename), so a complete blob is always exactly the bytes its name
promises. A lock file serialises writers of one upload across processes. Who may read a complete
blob is the server's decision (who uploaded it, which tickets reference it).
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


def owner_key(username: str, device_id: str) -> str:
    """The directory name of one device's partial uploads (any device id is safe in a path)."""
    return hashlib.sha256(f"{username}\0{device_id}".encode()).hexdigest()[:32]


class BlobStore:
    """Complete blobs are shared by content; a partial upload belongs to the device that started it
    (``partial/<owner>/<hex>``), so no one else can append to it, read it or finish it."""

    def __init__(self, root, max_bytes: int):
        self.root, self.max_bytes = Path(root), max_bytes
        (self.root / "partial").mkdir(parents=True, exist_ok=True)

    def path(self, hex_: str) -> Path:
        return self.root / hex_[:2] / hex_

    def partial(self, hex_: str, owner: str) -> Path:
        return self.root / "partial" / owner / hex_

    def complete(self, ref: str) -> bool:
        hex_ = hex_of(ref)
        return bool(HEX.match(hex_)) and self.path(hex_).exists()

    def size(self, hex_: str) -> int:
        return self.path(hex_).stat().st_size

    def partial_status(self, hex_: str, owner: str):
        """(offset, length) of ``owner``'s upload of a blob, or None when it has not started one."""
        length_file = self.partial(hex_, owner).with_suffix(".length")
        if not length_file.exists():
            return None
        data = self.partial(hex_, owner)
        return (data.stat().st_size if data.exists() else 0), int(length_file.read_text())

    @contextmanager
    def locked(self, hex_: str, owner: str):
        self.partial(hex_, owner).parent.mkdir(exist_ok=True)
        with open(self.partial(hex_, owner).with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def write(self, hex_: str, owner: str, offset: int, length, chunk: bytes) -> tuple[int, int]:
        """Append ``chunk`` to ``owner``'s upload at ``offset``; returns (new offset, length).

        The last byte finishes the blob: its hash is checked, and it becomes the shared blob (or,
        when the blob exists already, the upload proved the uploader holds its bytes).
        """
        with self.locked(hex_, owner):
            stored, total = self.partial_status(hex_, owner) or self.start(hex_, owner, length)
            if length is not None and length != total:
                raise BadUpload(f"Upload-Length is {total} for this blob", "Upload-Length")
            if offset != stored:
                raise OffsetMismatch(stored)
            if stored + len(chunk) > total:
                raise BadUpload("the chunk goes beyond Upload-Length", "Upload-Length")
            partial = self.partial(hex_, owner)
            with open(partial, "ab") as out:
                out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            stored += len(chunk)
            if stored == total:
                self.finish(hex_, owner)
            return stored, total

    def start(self, hex_: str, owner: str, length) -> tuple[int, int]:
        if length is None:
            raise BadUpload("Upload-Length is required on the first chunk", "Upload-Length")
        if length > self.max_bytes:
            raise BlobTooLarge(f"blob of {length} bytes is above the limit of {self.max_bytes}")
        if self.path(hex_).exists() and self.size(hex_) != length:
            raise BadUpload(f"a blob named {hex_} is not {length} bytes long", "Upload-Length")
        self.partial(hex_, owner).with_suffix(".length").write_text(str(length))
        return 0, length

    def finish(self, hex_: str, owner: str):
        data = self.partial(hex_, owner)
        if not data.exists():
            data.touch()
        digest = hashlib.sha256(data.read_bytes()).hexdigest()
        if digest != hex_:
            self.discard(hex_, owner)
            raise HashMismatch(f"the upload hashes to {digest}, not {hex_}; it was discarded")
        self.path(hex_).parent.mkdir(exist_ok=True)
        os.replace(data, self.path(hex_))
        self.discard(hex_, owner)

    def discard(self, hex_: str, owner: str):
        for suffix in ("", ".length"):           # the lock file stays: a waiter may hold it
            self.partial(hex_, owner).with_suffix(suffix).unlink(missing_ok=True)

    def expire_partials(self, older_than: float) -> int:
        """Remove partial uploads untouched since the epoch time ``older_than``; how many went."""
        expired = 0
        for length_file in (self.root / "partial").glob("**/*.length"):
            data = length_file.with_suffix("")
            touched = max(p.stat().st_mtime for p in (length_file, data) if p.exists())
            if touched < older_than:
                for path in (data, length_file, length_file.with_suffix(".lock")):
                    path.unlink(missing_ok=True)
                expired += 1
        return expired

    def put(self, data: bytes) -> str:
        """Store bytes the server made itself (a signed PDF); returns their ``sha256:`` reference."""
        hex_ = hashlib.sha256(data).hexdigest()
        if not self.path(hex_).exists():
            with self.locked(hex_, "server"):
                staging = self.partial(hex_, "server").with_suffix(".put")
                staging.write_bytes(data)
                self.path(hex_).parent.mkdir(exist_ok=True)
                os.replace(staging, self.path(hex_))
        return f"sha256:{hex_}"

    def read(self, ref: str) -> bytes:
        return self.path(hex_of(ref)).read_bytes()
