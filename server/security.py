"""Safe defaults for serving: response headers that confine pages, and the reverse proxy we trust.

The console is server-rendered with no inline script or style, so its Content-Security-Policy can
forbid both; API answers are data and may not be framed or sniffed as anything else.
"""
from werkzeug.middleware.proxy_fix import ProxyFix

PAGE_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"
HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
           "Referrer-Policy": "same-origin", "Cross-Origin-Opener-Policy": "same-origin"}


def add_headers(response):
    policy = PAGE_POLICY if response.mimetype == "text/html" else DATA_POLICY
    response.headers.setdefault("Content-Security-Policy", policy)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app):
    """``PROXY_HOPS`` proxies in front: the client address, scheme and host come from their
    X-Forwarded-* headers (never trusted when 0, so a client cannot forge its address)."""
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.after_request(add_headers)
