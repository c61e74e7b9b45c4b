"""A throwaway PostgreSQL cluster for the PostgreSQL leg of the tests and benchmarks.

Debian's ``postgresql`` package (the Makefile installs it): ``initdb`` into a temporary directory,
``pg_ctl start`` on a Unix socket only, fsync on (durability is what is tested), stopped at the end.
PostgreSQL refuses to run as root, so as root the cluster runs as the package's ``postgres`` user.
"""
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg


def binary(name: str):
    """The newest installed PostgreSQL's ``name`` (Debian keeps them out of PATH), or None."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return found[-1] if found else shutil.which(name)


def unavailable_reason():
    """Why no cluster can be started here, or None."""
    if not binary("initdb") or not binary("pg_ctl"):
        return "PostgreSQL is not installed (Debian package postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run the cluster as"
    return None


class Cluster:
    """One cluster, its socket directory and data under ``root``."""

    def __init__(self, root=None):
        self.root = Path(root or tempfile.mkdtemp(prefix="yekuo-pg-"))
        self.data, self.log, self.port = self.root / "data", self.root / "server.log", 5432

    def run(self, *args):
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> "Cluster":
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self.run(binary("initdb"), "-D", str(self.data), "-U", "yekuo", "--auth=trust", "-E", "UTF8",
                 "--locale=C.UTF-8")
        options = f"-k {self.root} -p {self.port} -c listen_addresses='' -c fsync=on -c max_connections=300"
        self.run(binary("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start")
        return self

    def url(self, database="postgres") -> str:
        return f"postgresql://yekuo@/{database}?host={self.root}&port={self.port}"

    def create_database(self, name, template=None) -> str:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def drop_database(self, name):
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self):
        if self.data.exists():
            self.run(binary("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
