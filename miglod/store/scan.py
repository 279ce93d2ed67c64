"""Read N-Quads and N-Triples files line by line: digest each graph and collect links.

This is the one loop ``build`` runs over every line of its input, so it avoids
parsing: a line written by a serialiser (single spaces, graph last) is split
with a few byte searches, and only unusual lines go through the tokeniser.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from miglod.store.links import LinkCollector
from miglod.store.terms import DIGEST_BITS, split_nquad

_DIGEST_BYTES = DIGEST_BITS // 8


def scan_lines(
    path: Path, *, quads: bool, graph: str | None, links: LinkCollector
) -> dict[str, int]:
    """Return the sum of line digests per named graph of a file, recording its links.

    ``quads`` tells N-Quads (graph at the end of each line) from N-Triples (all
    in ``graph``). Triples in the default graph or in blank-node graphs are
    loaded but not tracked.
    """
    fixed = graph.encode("utf-8") if graph is not None else None
    sums: dict[bytes | None, int] = {}
    blake = hashlib.blake2b
    from_bytes = int.from_bytes
    add_link = links.add_line
    with open(path, "rb") as handle:
        for line in handle:
            body = line.rstrip()
            if not body or body[0] == 35:  # blank or '#'
                continue
            if body[-1] == 46:  # '.'
                body = body[:-1].rstrip()
            name: bytes | None
            if not quads:
                triple, name = body, fixed
            elif b"\t" in body or b"  " in body:
                triple, text = split_nquad(body)
                name = None if text is None else text.encode("utf-8")
            else:
                rest, _, last = body.rpartition(b" ")
                if (
                    last[:1] == b"<"
                    and last[-1:] == b">"
                    and b'"' not in last
                    and rest.find(b" ", rest.find(b" ") + 1) > 0
                ):
                    triple, name = rest, last[1:-1]
                else:
                    triple, name = body, None
            digest = from_bytes(blake(triple, digest_size=_DIGEST_BYTES).digest(), "big")
            sums[name] = sums.get(name, 0) + digest
            if name is not None:
                add_link(triple, name)
    return {
        name.decode("utf-8"): total
        for name, total in sums.items()
        if name is not None and not name.startswith(b"_:")
    }
