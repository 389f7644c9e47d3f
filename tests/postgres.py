"""A throw-away PostgreSQL server for the tests and the benches: `start_cluster()`.

The server comes from Debian's packages (`apt-get install postgresql`); `python -m tests.postgres
ensure` installs them when they are missing and we are root (what `make test` runs first), and
otherwise says what to do. A cluster is made with `initdb` in a temporary folder and started with
`pg_ctl` on a free loopback port and a private socket folder, so it meets no other server. The
server refuses to run as root, so as root it runs as the `postgres` user. Durability is switched
off (`fsync`, `synchronous_commit`): the data is thrown away at the end.

`INMAIL_TEST_POSTGRES=postgresql://…` uses an existing server instead; the tests then work in
schemas of their own there and drop them.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

SERVER_USER = "postgres"
INSTALL_HINT = ("PostgreSQL is not installed. Install Debian's package (`sudo apt-get install postgresql`), "
                "run `make test` as root (it installs it), or point INMAIL_TEST_POSTGRES at a server "
                "(postgresql://user@host:port/db).")


def binaries() -> Path | None:
    """The folder of `initdb` and `pg_ctl`: `INMAIL_PG_BIN`, else Debian's newest, else PATH's."""
    if os.environ.get("INMAIL_PG_BIN"):
        given = Path(os.environ["INMAIL_PG_BIN"])
        return given if (given / "initdb").exists() else None
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    if versions:
        return Path(versions[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    """A running server: connect with `url`; `stop()` shuts it down and deletes its folder."""

    url: str
    folder: Path | None = None
    bin: Path | None = None
    as_user: str | None = None

    def stop(self) -> None:
        if self.folder is None or self.bin is None:
            return
        _run([str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop"],
             self.as_user, check=False)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None


def _run(command: list[str], as_user: str | None, *, check: bool = True) -> subprocess.CompletedProcess[str]:
    if as_user:
        command = ["runuser", "-u", as_user, "--", *command]
    return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)


def start_cluster() -> Cluster:
    """Starts a fresh server on a free loopback port (or returns INMAIL_TEST_POSTGRES's)."""
    if os.environ.get("INMAIL_TEST_POSTGRES"):
        return Cluster(os.environ["INMAIL_TEST_POSTGRES"])
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError(INSTALL_HINT)
    as_user = SERVER_USER if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="inmail-pg-"))
    if as_user:
        shutil.chown(folder, user=as_user)
    data, sockets, port = folder / "data", folder / "sockets", _free_port()
    try:
        _run([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
              "--no-sync", "--no-instructions"], as_user)
        _run(["mkdir", "-p", str(sockets)], as_user)
        options = (f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=300")
        _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "server.log"), "-w",
              "start"], as_user)
    except subprocess.CalledProcessError as error:
        log = folder / "server.log"
        details = (error.stderr or "") + (log.read_text(errors="replace") if log.exists() else "")
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"could not start PostgreSQL ({' '.join(error.cmd[:3])}…): {details.strip()[-800:]}") from error
    return Cluster(f"postgresql://postgres@127.0.0.1:{port}/postgres", folder, bin_dir, as_user)


@contextmanager
def fresh_schema(server_url: str) -> Iterator[str]:
    """A URL whose connections work in a new empty schema of `server_url` (dropped afterwards):
    one test's tables never meet another's, at the cost of a `CREATE SCHEMA`."""
    import psycopg

    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in server_url else "?"
    try:
        yield f"{server_url}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute("SET lock_timeout = '10s'")  # a connection left open by a killed process
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


def ensure() -> int:
    """Installs Debian's PostgreSQL when missing and we may (root with apt-get); else explains."""
    if os.environ.get("INMAIL_TEST_POSTGRES") or binaries():
        return 0
    if os.environ.get("INMAIL_PG_BIN"):
        print(f"INMAIL_PG_BIN={os.environ['INMAIL_PG_BIN']} has no initdb. " + INSTALL_HINT, file=sys.stderr)
        return 1
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing PostgreSQL from Debian's packages for the tests…", flush=True)
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                                                        "postgresql"]):
            if subprocess.run(command, env=env).returncode != 0:
                print(f"`{' '.join(command)}` failed. " + INSTALL_HINT, file=sys.stderr)
                return 1
        if binaries():
            return 0
    print(INSTALL_HINT, file=sys.stderr)
    return 1


if __name__ == "__main__":
    if sys.argv[1:] != ["ensure"]:
        sys.exit("usage: python -m tests.postgres ensure")
    sys.exit(ensure())
