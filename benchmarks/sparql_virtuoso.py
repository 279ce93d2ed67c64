"""Run a throwaway Virtuoso (Debian's ``virtuoso-opensource``) for the SPARQL benchmark.

The server listens on 127.0.0.1 only, keeps its database in a directory of
its own, and is stopped with SIGTERM. Settings follow /work/shared/ENGINES.md
§1, with a buffer pool large enough for 100,000 items (about 1.3 GiB).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from miglod.store.remote_http import Endpoints, SparqlClient

INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {dir}, {data}
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
MaxQueryMem = 1G
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 10
ServerThreads = 10
EnabledDavVSP = 0
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 600
MaxQueryCostEstimationTime = 4000
"""


def available() -> bool:
    """Return whether Virtuoso is installed."""
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Virtuoso:
    """One Virtuoso server on a throwaway database directory."""

    def __init__(self, directory: Path, data: Path) -> None:
        self.directory = directory
        self.data = data
        self.sql = _port()
        self.http = _port()
        self.pid = 0

    @property
    def endpoint(self) -> str:
        """Return the URL of the SPARQL endpoint."""
        return f"http://127.0.0.1:{self.http}/sparql"

    def start(self) -> None:
        """Start the server and wait until it answers queries."""
        self.directory.mkdir(parents=True, exist_ok=True)
        ini = self.directory / "virtuoso.ini"
        ini.write_text(INI.format(dir=self.directory, data=self.data, sql=self.sql, http=self.http))
        subprocess.run(
            ["virtuoso-t", "+configfile", str(ini), "+wait"],
            cwd=self.directory,
            check=True,
            capture_output=True,
            timeout=300,
        )
        lock = (self.directory / "virtuoso.lck").read_text()
        self.pid = int(lock.split("VIRT_PID=")[1].split()[0])
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                self.query("ASK {}")
                return
            time.sleep(0.5)
        raise RuntimeError("Virtuoso did not start")

    def stop(self) -> None:
        """Stop the server (it checkpoints on the way down)."""
        if not self.pid:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
            while True:
                os.kill(self.pid, 0)
                time.sleep(0.2)
        self.pid = 0

    def load(self, name: str) -> float:
        """Bulk-load the N-Quads file ``name`` from the data directory; return the seconds taken."""
        started = time.monotonic()
        self.isql(
            f"ld_dir('{self.data}', '{name}', 'http://example.org/default'); "
            "rdf_loader_run(); checkpoint;"
        )
        return time.monotonic() - started

    def isql(self, statements: str) -> str:
        """Run SQL statements with ``isql-vt`` as dba."""
        done = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql}", "dba", "dba", f"exec={statements}"],
            check=True,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        return done.stdout

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update as ``dba`` (on ``/sparql-auth``, through the remote store's client)."""
        client = SparqlClient(
            Endpoints(
                self.endpoint,
                update_url=f"http://127.0.0.1:{self.http}/sparql-auth",
                user="dba",
                password="dba",
                timeout=600,
            )
        )
        try:
            client.update(sparql)
        finally:
            client.close()

    def query(self, sparql: str, accept: str = "application/sparql-results+json") -> bytes:
        """Return the body of a query's result."""
        url = self.endpoint + "?" + urllib.parse.urlencode({"query": sparql})
        request = urllib.request.Request(url, headers={"Accept": accept})
        with urllib.request.urlopen(request, timeout=600) as response:
            return bytes(response.read())


@contextlib.contextmanager
def running(directory: Path, data: Path) -> Iterator[Virtuoso]:
    """Run a Virtuoso server until the block ends."""
    server = Virtuoso(directory, data)
    server.start()
    try:
        yield server
    finally:
        server.stop()
