"""The write service: web workers forward writes to niced, supervised write processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SDO

from miglod.query import wire
from miglod.query.helper import OWNER, PREFIX
from miglod.settings import SettingsError, resolve
from miglod.store import open_store
from server.serve import write_processes
from server.write_client import WritePaths, use_write_service
from server.write_service import _WriteServer
from tests.conftest import ROOT, app_on, free_port, serve_command, server_process
from tests.test_writes_e2e import ALICE, call
from tests.writes_helpers import TOKENS, invalid_turtle, item_turtle, news_iri

TTL = {"Content-Type": "text/turtle"}


@dataclass
class Served:
    """A running ``miglod serve`` and the runtime directory of its write service."""

    url: str
    pid: int
    runtime: Path

    def write_pid(self) -> int:
        """Return the process id of the (first) write process."""
        return int((self.runtime / "writes-0.pid").read_text())


def runtimes(owner: int) -> list[Path]:
    """Return the write service runtime directories of the server ``owner``."""
    found = []
    for runtime in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            if int((runtime / OWNER).read_text()) == owner and not (runtime / "spool").exists():
                found.append(runtime)
        except (OSError, ValueError):
            continue
    return found


def stat(pid: int) -> list[str]:
    """Return the fields of ``/proc/PID/stat`` after the command name."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def niceness(pid: int) -> int:
    return int(stat(pid)[16])


def parent(pid: int) -> int:
    return int(stat(pid)[1])


def descendants(pid: int) -> list[tuple[int, str]]:
    """Return the processes below ``pid`` with their command lines."""
    found: list[tuple[int, str]] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        child = int(entry.name)
        try:
            chain = child
            while chain > 1:
                chain = parent(chain)
                if chain == pid:
                    command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                    found.append((child, command))
                    break
        except (OSError, ValueError, IndexError):
            continue
    return found


def alive(pid: int) -> bool:
    try:
        return stat(pid)[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def served(store_path: Path, tmp_path: Path) -> Iterator[Served]:
    """Run ``miglod serve`` (two web workers, one write process) with write tokens."""
    port = free_port()
    settings = {
        "store": str(store_path),
        "port": port,
        "workers": 2,
        "write_tokens": TOKENS,
        "fold_delay": 0.2,
    }
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = tmp_path / "server.log"
    url = f"http://127.0.0.1:{port}"
    with server_process(serve_command(settings), env, log, url + "/") as process:
        (runtime,) = runtimes(process.pid)
        assert runtime.stat().st_mode & 0o777 == 0o700
        yield Served(url, process.pid, runtime)
    assert "s3cret" not in log.read_text(), "a token reached the log"
    assert not runtime.exists(), "the write service left its runtime directory"


def test_writes_behave_as_before_through_a_lower_priority_write_process(
    served: Served, store_path: Path
) -> None:
    url, new = served.url, "2021-09-16-written-by-the-write-service"
    writer = served.write_pid()
    assert alive(writer) and writer != served.pid
    assert niceness(writer) == min(19, niceness(served.pid) + 10)  # write_nice's default

    assert call(f"{url}/news", "POST", item_turtle(new), **TTL)[0] == 401
    assert call(f"{url}/news", "POST", item_turtle(new), Authorization="Bearer no", **TTL)[0] == 403
    bad = call(f"{url}/news", "POST", invalid_turtle(new), **ALICE, **TTL)
    assert bad[0] == 422
    assert any(r["path"] == str(SDO.datePublished) for r in json.loads(bad[2])["results"])

    status, headers, body = call(f"{url}/news", "POST", item_turtle(new), **ALICE, **TTL)
    assert status == 201, body
    assert headers["Location"] == news_iri(new)
    assert headers["Content-Location"] == f"/doc/news/{new}"
    assert json.loads(body)["resource"] == news_iri(new)
    for _ in range(4):  # every worker sees the write at once
        status, headers, body = call(f"{url}/doc/news/{new}.ttl")
        assert status == 200
        graph = Graph().parse(data=body, format="turtle")
        assert (URIRef(news_iri(new)), SDO.headline, Literal("Nueva noticia", lang="es")) in graph
    etag = headers["ETag"]
    changes = json.loads(call(f"{url}/changes")[2])["changes"]
    assert any(c["resource"] == news_iri(new) and c["agent"] == "alice" for c in changes)

    again = call(f"{url}/news", "POST", item_turtle(new), **ALICE, **TTL, **{"If-None-Match": "*"})
    assert again[0] == 412
    fixed = item_turtle(new, headline="Corregida")
    put = {**ALICE, **TTL, "If-Match": etag}
    assert call(f"{url}/id/news/{new}", "PUT", fixed, **put)[0] == 200
    assert call(f"{url}/id/news/{new}", "PUT", fixed, **put)[0] == 412  # the tag is stale now
    body = call(f"{url}/doc/news/{new}.ttl")[2]
    graph = Graph().parse(data=body, format="turtle")
    assert (URIRef(news_iri(new)), SDO.headline, Literal("Corregida", lang="es")) in graph

    assert call(f"{url}/id/news/{new}", "DELETE", **ALICE)[0] == 204
    assert call(f"{url}/doc/news/{new}.ttl")[0] == 410
    assert call(f"{url}/id/news/{new}", "DELETE", **ALICE)[0] == 410
    with open_store(store_path, read_only=True) as store:
        assert any(c.agent == "alice" for c in store.changes(limit=10))
    assert served.write_pid() == writer
    # The write process uses the server's query helper: no second copy of the data.
    assert not [c for _, c in descendants(writer) if "miglod.query" in c]


def test_a_killed_write_process_gives_503_and_is_started_again(served: Served) -> None:
    url, writer = served.url, served.write_pid()
    supervisor = parent(writer)
    os.kill(supervisor, signal.SIGSTOP)  # hold the restart, to write while it is down
    try:
        os.kill(writer, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while alive(writer):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        status, headers, body = call(
            f"{url}/news", "POST", item_turtle("2021-09-17-while-down"), **ALICE, **TTL
        )
        assert status == 503
        assert headers["Retry-After"] == "5"
        assert json.loads(body)["status"] == 503
    finally:
        os.kill(supervisor, signal.SIGCONT)
    deadline = time.monotonic() + 60
    while True:
        status = call(f"{url}/news", "POST", item_turtle("2021-09-17-after"), **ALICE, **TTL)[0]
        if status == 201:
            break
        assert status == 503 and time.monotonic() < deadline
        time.sleep(0.2)
    assert served.write_pid() != writer
    assert niceness(served.write_pid()) == min(19, niceness(served.pid) + 10)


def test_the_write_processes_stop_with_the_server(store_path: Path, tmp_path: Path) -> None:
    port = free_port()
    settings = {
        "store": str(store_path),
        "port": port,
        "write_tokens": TOKENS,
        "write_workers": 2,
        "write_nice": 3,
    }
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    url = f"http://127.0.0.1:{port}"
    with server_process(serve_command(settings), env, tmp_path / "log", url + "/") as process:
        (runtime,) = runtimes(process.pid)
        writers = [int((runtime / f"writes-{i}.pid").read_text()) for i in range(2)]
        supervisor = parent(writers[0])
        assert [niceness(pid) for pid in writers] == [min(19, niceness(process.pid) + 3)] * 2
        for n in range(4):  # taking turns
            new = f"2021-09-18-turn-{n}"
            assert call(f"{url}/news", "POST", item_turtle(new), **ALICE, **TTL)[0] == 201
    assert not runtime.exists()
    assert not any(alive(pid) for pid in [*writers, supervisor])


def test_without_tokens_no_write_service_runs(store_path: Path, tmp_path: Path) -> None:
    port = free_port()
    settings = {"store": str(store_path), "port": port}
    env = {k: v for k, v in os.environ.items() if k != "MIGLOD_WRITE_TOKENS"}
    env["PYTHONPATH"] = str(ROOT)
    url = f"http://127.0.0.1:{port}"
    with server_process(serve_command(settings), env, tmp_path / "log", url + "/") as process:
        assert runtimes(process.pid) == []
        status, _, body = call(f"{url}/news", "POST", item_turtle("2021-09-19-x"), **ALICE, **TTL)
        assert status == 403 and json.loads(body)["error"] == "writes_disabled"


class FakeService:
    """A write service on a Unix socket that answers as told, or never."""

    def __init__(self, paths: WritePaths, answer: dict[str, object] | None) -> None:
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(paths.socket(0)))
        self.listener.listen(8)
        self.answer = answer
        self.received: list[dict[str, object]] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        connection, _ = self.listener.accept()
        with connection:
            message, _ = wire.receive(connection)
            assert isinstance(message, dict)
            self.received.append(message)
            if self.answer is None:
                time.sleep(2)  # never answers in time
                return
            wire.send(connection, self.answer)

    def close(self) -> None:
        self.listener.close()


def test_a_worker_forwards_the_raw_request_and_returns_the_answer_unchanged(
    store_path: Path, tmp_path: Path
) -> None:
    paths = WritePaths(tmp_path)
    answer = {"status": "201 CREATED", "headers": [("X-From", "service")], "body": b"done"}
    service = FakeService(paths, answer)
    app = app_on(store_path, write_tokens=TOKENS)
    use_write_service(app, paths)
    try:
        response = app.test_client().put(
            "/id/news/x?y=1",
            data=b"body bytes",
            headers={**ALICE, **TTL, "If-Match": '"abc"'},
        )
    finally:
        service.close()
    assert (response.status_code, response.data) == (201, b"done")
    assert response.headers["X-From"] == "service"
    (sent,) = service.received
    environ = sent["environ"]
    assert isinstance(environ, dict)
    assert environ["REQUEST_METHOD"] == "PUT" and environ["PATH_INFO"] == "/id/news/x"
    assert environ["QUERY_STRING"] == "y=1"
    assert environ["HTTP_AUTHORIZATION"] == ALICE["Authorization"]
    assert environ["HTTP_IF_MATCH"] == '"abc"' and environ["CONTENT_TYPE"] == "text/turtle"
    assert sent["body"] == b"body bytes"


def test_a_silent_or_missing_write_service_gives_503(store_path: Path, tmp_path: Path) -> None:
    paths = WritePaths(tmp_path)
    app = app_on(store_path, write_tokens=TOKENS)
    use_write_service(app, paths, timeout=0.3)
    client = app.test_client()
    missing = client.post("/news", data=item_turtle("2021-09-20-x"), headers={**ALICE, **TTL})
    assert missing.status_code == 503 and missing.headers["Retry-After"] == "5"
    assert "not running" in missing.get_json()["message"]
    service = FakeService(paths, None)
    try:
        silent = client.post("/news", data=item_turtle("2021-09-20-x"), headers={**ALICE, **TTL})
    finally:
        service.close()
    assert silent.status_code == 503 and silent.headers["Retry-After"] == "5"
    assert "did not answer within 0.3 s" in silent.get_json()["message"]
    # Requests the service would refuse are refused at once, without it.
    assert client.post("/news", data=b"x", headers=TTL).status_code == 401
    wrong = client.delete("/id/news/x", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    assert client.get("/news").status_code == 200  # reads never go there


def test_the_write_server_answers_through_the_app(store_path: Path, tmp_path: Path) -> None:
    paths = WritePaths(tmp_path)
    server = _WriteServer(str(paths.socket(0)), app_on(store_path, write_tokens=TOKENS))
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    serving.start()
    web = app_on(store_path, write_tokens=TOKENS)
    use_write_service(web, paths)
    new = "2021-09-21-through-the-write-server"
    try:
        created = web.test_client().post("/news", data=item_turtle(new), headers={**ALICE, **TTL})
    finally:
        server.shutdown()
        serving.join()
        server.server_close()
    assert created.status_code == 201, created.data
    assert created.headers["Location"] == news_iri(new)
    assert web.test_client().get(f"/doc/news/{new}.ttl").status_code == 200


def test_how_many_write_processes_serve_starts() -> None:
    assert write_processes(resolve({"write_tokens": TOKENS})) == 1
    assert write_processes(resolve({"write_tokens": TOKENS, "write_workers": 3})) == 3
    assert write_processes(resolve({"write_tokens": TOKENS, "write_workers": 0})) == 0
    assert write_processes(resolve({"write_tokens": "", "write_workers": 2})) == 0
    with pytest.raises(SettingsError, match="write_nice: 20 is not between 0 and 19"):
        write_processes(resolve({"write_tokens": TOKENS, "write_nice": "20"}))
    with pytest.raises(SettingsError, match="write_workers: -1"):
        write_processes(resolve({"write_tokens": TOKENS, "write_workers": -1}))
