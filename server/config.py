"""Configuration from the environment (``YEKUO_*``), with defaults that work on a fresh checkout."""
import os
import secrets
from pathlib import Path

DEFAULTS = {
    "DATA_DIR": "./var",
    "DATABASE_URL": "",           # postgresql://user:pass@host:port/db for several servers; empty: SQLite in DATA_DIR
    "LOGIN_MAX_FAILURES": 10,        # docs/SYNC_PROTOCOL.md "Authentication": 10 failures …
    "LOGIN_WINDOW_SECONDS": 300,     # … in 5 minutes → 429
    "LOGIN_MAX_FAILURES_PER_IP": 50,   # failures from one address over any user names, same window
    "TOKEN_DAYS": 30,                # a device token expires this long after log-in (log in again to renew)
    "SESSION_HOURS": 12,             # a console session ends this long after log-in (and at log-out)
    "CSRF_HOURS": 8,                 # a console form's CSRF token is refused after this long
    "PROXY_HOPS": 0,                 # trusted reverse proxies in front: X-Forwarded-For/-Proto/-Host are read
    "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
    "GRID_IMPORT_MAX_BYTES": 256 * 1024 * 1024,   # a 100k-asset city is about 30 MB of GeoJSON
    "SYNC_MAX_OPS": 1000,                 # per push; the client splits a longer queue
    "SYNC_MAX_BYTES": 8 * 1024 * 1024,    # per push body, after gzip inflation
    "MAX_BLOB_BYTES": 32 * 1024 * 1024,
    "BLOB_PARTIAL_HOURS": 24,             # a partial upload untouched this long is removed
    "TOMBSTONE_HORIZON_DAYS": 30,
    "SYNC_CONCURRENT_PUSHES": 4,          # per process; a push waits this long for a slot, then 503 …
    "SYNC_PUSH_WAIT_SECONDS": 5,          # … with Retry-After
    "PDF_FONT": "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",   # a CJK TrueType font (fonts-wqy-zenhei)
    "SIGNING_KEY": "",        # the company's PEM key and certificate; empty: a DEVELOPMENT identity
    "SIGNING_CERT": "",       # is generated into <data dir>/keys on first run
    "TSA_URL": "",            # RFC 3161 timestamp authority: signatures become PAdES B-T
    "DEADLINE_WARN_SHARE": 0.8,   # warn the handler when this share of a stage's limit has passed
    "BACKUP_KEEP": 7,             # nightly backups kept in <data dir>/backups
    "SCHEDULER": 1,               # run the scheduled jobs in this process (tests turn it off)
    "SECURE_COOKIES": 0,          # 1 behind HTTPS: the console's session cookie is then Secure
    "CUSTOMER_LINK_DAYS": 30,     # a customer's progress link expires after this many days
    "POOL_MAX_OPEN": 20,          # a manager may grab (抢单) while holding fewer open tickets than this
    "UNSIGNED_SCHEME_DAYS": 30,   # a proposed scheme not signed within this many days lapses
    "FIELD_APP_DIR": "",          # the field app's build (empty: field_app/dist beside the server package)
    "PAGE_SIZE": 50,
    "MAX_PAGE_SIZE": 500,
}


def load_config(test_config=None):
    """Defaults, overridden by ``YEKUO_<KEY>`` variables, overridden by ``test_config``."""
    config = dict(DEFAULTS)
    for key in DEFAULTS:
        if f"YEKUO_{key}" in os.environ:
            config[key] = type(DEFAULTS[key])(os.environ[f"YEKUO_{key}"])   # as the default's type
    if os.environ.get("YEKUO_SECRET_KEY"):
        config["SECRET_KEY"] = os.environ["YEKUO_SECRET_KEY"]
    config.update(test_config or {})
    data_dir = Path(config["DATA_DIR"]).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    config["DATA_DIR"] = str(data_dir)
    config.setdefault("DATABASE", config["DATABASE_URL"] or str(data_dir / "yekuo.sqlite"))
    config.setdefault("SECRET_KEY", read_or_create_secret(data_dir / "secret_key"))
    return config


def read_or_create_secret(path: Path) -> str:
    """A random secret kept in the data dir, so sessions survive restarts without configuration."""
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
