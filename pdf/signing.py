"""Signing the scheme PDF: attachments in, then a PAdES baseline B-B signature with pyHanko.

The company key and certificate come from configured paths. Without them, a self-signed
development identity is generated once into the data directory; its common name says
DEVELOPMENT so nobody mistakes it for the real one (the server warns at start-up too).

pyHanko is imported by the first signature, not at start-up: it is a quarter of a server's start
(every gunicorn worker, every restart) and most requests never sign.
"""
import datetime as dt
import fcntl
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

DEV_COMMON_NAME = "yekuo DEVELOPMENT scheme signing key"
FIELD_NAME = "SchemeSignature"


@dataclass(frozen=True)
class SigningIdentity:
    key_path: Path
    cert_path: Path
    development: bool
    tsa_url: str = ""         # a timestamp authority makes the signature PAdES B-T


def development_identity(folder: Path) -> SigningIdentity:
    """The dev key and certificate in ``folder``, made on first use (EC P-256, 10 years).

    Several server workers start at once: a lock file makes exactly one of them create the pair.
    """
    folder.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = folder / "dev-signing-key.pem", folder / "dev-signing-cert.pem"
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (key_path.exists() and cert_path.exists()):
            create_development_pair(key_path, cert_path)
    return SigningIdentity(key_path, cert_path, True)


def create_development_pair(key_path: Path, cert_path: Path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, DEV_COMMON_NAME),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "yekuo development")])
    now = dt.datetime.now(dt.timezone.utc)
    usage = x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=False,
                          encipher_only=False, decipher_only=False)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650)).add_extension(usage, critical=True)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def attach(writer, attachments: dict):
    """``name → bytes`` embedded in the update that the signature then covers (no second parse)."""
    from pyhanko.pdf_utils import embed
    for name, data in attachments.items():
        embed.embed_file(writer, embed.FileSpec(file_spec_string=name, file_name=name,
                                                embedded_data=embed.EmbeddedFileObject.from_file_data(writer, data)))


@lru_cache(maxsize=4)
def signer_of(identity: SigningIdentity):
    """The key and certificate (a pyHanko ``SimpleSigner``), read and parsed once per identity (a new
    key takes a restart)."""
    from pyhanko.sign import signers
    return signers.SimpleSigner.load(str(identity.key_path), str(identity.cert_path))


RESERVED = {}      # (identity, TSA URL) → the signature space pyHanko estimated for its first signature


def sign(pdf: bytes, identity: SigningIdentity, attachments: dict, reason: str, tsa_url: str = "") -> bytes:
    """Attachments embedded, then signed as PAdES B-B over the whole file (B-T with a TSA URL).

    pyHanko sizes the space for the signature by making a dummy one first (a fifth of a signature's
    time); the size it chose for an identity's first signature is reused for the next ones, and
    estimated again only if a signature ever outgrows it.
    """
    from pyhanko.sign.general import SigningError
    key = (identity, tsa_url)
    try:
        return sign_once(pdf, identity, attachments, reason, tsa_url, RESERVED.get(key))
    except SigningError:
        if key not in RESERVED:
            raise
    RESERVED.pop(key)
    return sign(pdf, identity, attachments, reason, tsa_url)


def sign_once(pdf, identity, attachments, reason, tsa_url, bytes_reserved) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers, timestamps
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    attach(writer, attachments)
    meta = signers.PdfSignatureMetadata(field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES,
                                        md_algorithm="sha256", reason=reason, location="yekuo")
    timestamper = timestamps.HTTPTimeStamper(tsa_url) if tsa_url else None
    signed = signers.sign_pdf(writer, meta, signer=signer_of(identity), timestamper=timestamper,
                              bytes_reserved=bytes_reserved).getvalue()
    if bytes_reserved is None:           # the space pyHanko chose: its /Contents, hex-encoded
        (signature,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures[-1:]
        RESERVED[(identity, tsa_url)] = len(signature.pkcs7_content) * 2
    return signed
