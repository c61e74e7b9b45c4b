"""gunicorn.conf.py's worker: Ctrl-C (SIGINT) under ``make run`` ends it at once."""
import runpy
import signal
import threading
import types
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CONF = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))


def test_quit_landing_inside_the_pools_submit_exits_instead_of_waiting_on_its_lock():
    """The signal handler runs in the main thread between two bytecodes, possibly of ``submit``, which holds
    the executor's shutdown lock then (the lock is held here as submit holds it). gthread's own handler shut
    the pool down under that lock and waited forever; this one exits."""
    worker = CONF["QuitWithoutDeadlock"].__new__(CONF["QuitWithoutDeadlock"])
    worker.tpool, worker.cfg, worker.alive = ThreadPoolExecutor(2), types.SimpleNamespace(worker_int=lambda w: None), True
    outcome = []

    def quit_inside_submit():
        with worker.tpool._shutdown_lock:            # noqa: SLF001 - where submit is when the signal lands
            try:
                worker.handle_quit(signal.SIGINT, None)
            except SystemExit as exc:
                outcome.append(exc.code)

    handler = threading.Thread(target=quit_inside_submit, daemon=True)
    handler.start()
    handler.join(timeout=5)
    assert not handler.is_alive(), "the quit handler waits on the lock its own thread holds"
    assert outcome == [0] and worker.alive is False
    worker.tpool.shutdown()
