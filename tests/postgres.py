"""A throwaway PostgreSQL server for tests: ``initdb`` + ``pg_ctl start`` in a temporary
folder, listening on 127.0.0.1 on a free port, stopped and removed afterwards.

Use the session fixture ``postgres_server`` (import it into the test module) or the
context manager ``running_postgres()``. The server refuses to run as root, so as root it
runs as the ``postgres`` user (``runuser -u postgres --``) in a folder that user owns.

When the server binaries are missing, the fixture installs Debian's ``postgresql``
package only as root with ``CI=true`` or ``DVC766_INSTALL_POSTGRES=1``; otherwise, or
when that fails, the test is skipped with a message saying how to install it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

DB_NAME = "dvc766_dagster"
SUPERUSER = "dvc766"
INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found: install them "
    "(Debian/Ubuntu: `apt-get install postgresql`; the fixture does it itself as root with "
    "CI=true or DVC766_INSTALL_POSTGRES=1)"
)


@dataclass(frozen=True)
class PostgresServer:
    """Connection details of a running throwaway server."""

    host: str
    port: int
    user: str
    password: str
    dbname: str
    folder: Path

    def dsn(self, dbname: str | None = None) -> str:
        return (
            f"host={self.host} port={self.port} user={self.user} "
            f"password={self.password} dbname={dbname or self.dbname}"
        )

    def env(self) -> dict[str, str]:
        """The ``DVC766_PG_*`` variables read by ``deploy/dagster.production.yaml``."""
        return {
            "DVC766_PG_HOST": self.host,
            "DVC766_PG_PORT": str(self.port),
            "DVC766_PG_USER": self.user,
            "DVC766_PG_PASSWORD": self.password,
            "DVC766_PG_DB": self.dbname,
        }


def _bin_dir() -> Path | None:
    """Folder holding initdb and pg_ctl: Debian's newest /usr/lib/postgresql/<ver>/bin,
    else wherever PATH has them."""
    debian = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")]
    debian.sort(key=lambda d: int(d.parent.name) if d.parent.name.isdigit() else 0)
    for folder in reversed(debian):
        if (folder / "initdb").exists():
            return folder
    pg_ctl, initdb = shutil.which("pg_ctl"), shutil.which("initdb")
    if pg_ctl and initdb and Path(pg_ctl).parent == Path(initdb).parent:
        return Path(pg_ctl).parent
    return None


def _may_install() -> bool:
    return os.geteuid() == 0 and (
        os.environ.get("CI", "").lower() == "true"
        or os.environ.get("DVC766_INSTALL_POSTGRES") == "1"
    )


def _apt_install() -> str | None:
    """Install the ``postgresql`` package; None on success, else why it failed."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql"]
    try:
        if subprocess.run(install, env=env, capture_output=True, timeout=600).returncode == 0:
            return None
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=300)
        done = subprocess.run(install, env=env, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as error:
        return str(error)
    return None if done.returncode == 0 else (done.stderr or done.stdout)[-500:]


def find_or_install_binaries() -> Path:
    """The PostgreSQL bin folder, installing the package when allowed; skips otherwise."""
    folder = _bin_dir()
    if folder is not None:
        return folder
    if not _may_install():
        pytest.skip(INSTALL_HINT)
    failure = _apt_install()
    folder = _bin_dir()
    if folder is None:
        why = failure or "it succeeded but initdb/pg_ctl are still not found"
        pytest.skip(f"{INSTALL_HINT}; `apt-get install postgresql`: {why}")
    return folder


def _run_as() -> str | None:
    """The user to run the server as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for user in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(user)
            return user
    pytest.skip("running as root and neither a `postgres` nor a `nobody` user exists")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_postgres(dbname: str = DB_NAME) -> Iterator[PostgresServer]:
    """Start a server with database ``dbname`` (password auth over TCP), yield its details,
    then stop it and remove its folder."""
    import psycopg2

    bin_dir = find_or_install_binaries()
    user = _run_as()
    prefix = ["runuser", "-u", user, "--"] if user else []
    # Not under pytest's tmp folder (private to root): the server runs as `user`, who must
    # reach it; a short path also keeps the socket path under the kernel's limit.
    shared = "/tmp" if user and os.path.isdir("/tmp") else None
    folder = Path(tempfile.mkdtemp(prefix="dvc766-pg-", dir=shared))
    data, log = folder / "data", folder / "server.log"
    password = secrets.token_urlsafe(16)
    pwfile = folder / "pwfile"
    pwfile.write_text(password + "\n")
    if user:
        shutil.chown(folder, user)
        shutil.chown(pwfile, user)

    def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*prefix, *args], capture_output=True, text=True, timeout=timeout, check=False
        )

    started = False
    try:
        done = run(
            str(bin_dir / "initdb"),
            "-D", str(data), "-U", SUPERUSER, f"--pwfile={pwfile}",
            "--auth-local=trust", "--auth-host=scram-sha-256",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        pwfile.unlink()
        if done.returncode != 0:
            pytest.fail(f"initdb failed:\n{done.stdout}\n{done.stderr}")
        for _attempt in range(3):  # another process may take the free port meanwhile
            port = _free_port()
            options = (
                f"-k {folder} -h 127.0.0.1 -p {port} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            done = run(
                str(bin_dir / "pg_ctl"), "start", "-w", "-t", "60",
                "-D", str(data), "-l", str(log), "-o", options,
            )  # fmt: skip
            if done.returncode == 0:
                started = True
                break
        if not started:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            pytest.fail(f"pg_ctl start failed:\n{done.stdout}\n{done.stderr}\n{tail}")
        server = PostgresServer("127.0.0.1", port, SUPERUSER, password, dbname, folder)
        deadline = time.monotonic() + 30
        while True:
            try:
                con = psycopg2.connect(server.dsn("postgres"))
                break
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        try:
            con.autocommit = True
            with con.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{dbname}"')
        finally:
            con.close()
        yield server
    finally:
        if (data / "postmaster.pid").exists():  # also after a start that timed out
            stop = run(str(bin_dir / "pg_ctl"), "stop", "-D", str(data), "-m", "fast", "-w")
            if stop.returncode != 0:
                run(str(bin_dir / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate", "-w")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server on 127.0.0.1 for the whole session (see module doc)."""
    with running_postgres() as server:
        yield server
