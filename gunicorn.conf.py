"""gunicorn settings for ``make run`` and production (``gunicorn -c gunicorn.conf.py wsgi:app``).

Threaded workers: a slow handheld on a weak mobile link holds one thread, not a whole worker, while
the others keep serving; behind a reverse proxy that buffers requests (README "Deployment") slow
clients never reach gunicorn at all. Each setting can be overridden on the command line.
"""
import os

from gunicorn.workers.base import Worker
from gunicorn.workers.gthread import ThreadWorker


class QuitWithoutDeadlock(ThreadWorker):
    """gthread's quit handler (SIGINT, SIGQUIT: Ctrl-C under ``make run``) shuts its thread pool down from
    inside the signal handler, which runs in the main thread between two bytecodes, possibly of the pool's
    own ``submit`` for a new connection: the handler then waits forever for the lock ``submit`` holds
    (seen with py-spy; a worker hung until the arbiter killed it). The quit is immediate anyway: exit as
    every other worker class does; the interpreter's exit still lets the pool's threads finish their
    requests."""

    def handle_quit(self, sig, frame):
        Worker.handle_quit(self, sig, frame)


bind = os.environ.get("YEKUO_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("YEKUO_WORKERS", "2"))      # one per core; every worker runs the scheduler,
worker_class = QuitWithoutDeadlock                       # gthread; each job run claims its slot once
threads = int(os.environ.get("YEKUO_THREADS", "8"))
timeout = 60                      # a worker stuck this long is restarted
graceful_timeout = 30
keepalive = 5
limit_request_line = 8190         # the request line and headers stay small; bodies are limited by the app
limit_request_fields = 100
limit_request_field_size = 8190
forwarded_allow_ips = os.environ.get("YEKUO_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
