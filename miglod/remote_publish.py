"""Send news items to a running server's write endpoints (``miglod publish``)."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from miglod.publishing import Item, PublishingError

#: Seconds every request may take.
TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the server answered for one item."""

    iri: str
    status: int
    detail: str


def publish(
    items: Iterable[Item],
    url: str,
    token: str,
    *,
    replace: bool = False,
    timeout: float = TIMEOUT,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """POST each item to ``url``/news; PUT it over an existing one when ``replace`` is set."""
    root = url.rstrip("/")
    outcomes = []
    for item in items:
        body = item.graph.serialize(format="turtle").encode("utf-8")
        status, text = _send(root + "/news", "POST", body, token, timeout)
        if status == 409 and replace:
            rest = item.iri.rsplit("/id/news/", 1)[1]
            status, text = _send(f"{root}/id/news/{rest}", "PUT", body, token, timeout)
        outcome = Outcome(item.iri, status, text)
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return outcomes


def _send(url: str, method: str, body: bytes, token: str, timeout: float) -> tuple[int, str]:
    headers = {
        "Content-Type": "text/turtle",
        "Accept": "text/plain",
        "Authorization": f"Bearer {token}",
    }
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        with error:
            return int(error.code), error.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PublishingError(f"{method} {url}: {reason}") from None
