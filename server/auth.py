"""Check the bearer tokens of write requests.

Tokens come from the ``write_tokens`` setting: ``name=token`` pairs separated
by commas, or the path of a file with one pair per line (``#`` starts a
comment). Only their SHA-256 digests are kept, and a presented token is
compared with every known digest in constant time, so neither the tokens nor
which one nearly matched leak through memory dumps, logs or timing.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from miglod.settings import SettingsError


@dataclass(frozen=True, slots=True)
class Tokens:
    """The digests of the write tokens, by the name of whoever holds each."""

    digests: tuple[tuple[str, bytes], ...] = ()

    @classmethod
    def parse(cls, setting: str) -> Tokens:
        """Return the tokens a ``write_tokens`` setting names (a list or a file of pairs)."""
        text = setting.strip()
        if not text:
            return cls()
        if "=" not in text.splitlines()[0] or Path(text).is_file():
            path = Path(text)
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise SettingsError(
                    f"MIGLOD_WRITE_TOKENS: cannot read the token file {path}: {exc.strerror}"
                ) from None
            pairs = [line.split("#", 1)[0].strip() for line in text.splitlines()]
        else:
            pairs = [part.strip() for part in text.split(",")]
        found: list[tuple[str, bytes]] = []
        for number, pair in enumerate(pairs, 1):
            if not pair:
                continue
            name, sep, token = pair.partition("=")
            if not sep or not name.strip() or not token.strip():
                raise SettingsError(
                    f"MIGLOD_WRITE_TOKENS: entry {number} is not name=token (token not shown)"
                )
            found.append((name.strip(), _digest(token.strip())))
        return cls(tuple(found))

    def __bool__(self) -> bool:
        return bool(self.digests)

    def holder(self, token: str) -> str | None:
        """Return the name of the holder of ``token``, or ``None`` when it is not known."""
        presented = _digest(token)
        holder = None
        for name, digest in self.digests:
            # Every digest is compared, so the time taken does not tell which matched.
            if hmac.compare_digest(presented, digest) and holder is None:
                holder = name
        return holder


def bearer(header: str | None) -> str | None:
    """Return the token of an ``Authorization: Bearer`` header, if there is one."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()
