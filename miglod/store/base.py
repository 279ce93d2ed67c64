"""The store interface: what the web app and the CLI ask of any RDF store.

A store holds one named graph per news item and one per body of reference data.
It replaces named graphs atomically, describes a resource, answers read-only
queries under a time limit and lists what changed since a time. Results are
plain, picklable values (rdflib terms in tuples) so that a query can later be
evaluated in a child process that can be stopped, and so that other engines
(a remote SPARQL 1.1 server) can give the same answers.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal as TypingLiteral
from typing import Protocol

from rdflib.term import BNode, Node, URIRef

Triple = tuple[Node, Node, Node]
#: A store's lineage and the number of its last change (see :attr:`Store.position`).
Position = tuple[str, int]

#: How many resources linking to a described resource are included by default.
INBOUND_LIMIT = 100


class StoreError(Exception):
    """Raise when the store cannot do what was asked."""


class StoreNotFoundError(StoreError):
    """Raise when there is no store at the path given."""


class ReadOnlyStoreError(StoreError):
    """Raise when a store opened read-only is asked to write."""


class QueryError(StoreError):
    """Raise when a query is malformed or fails while it is evaluated."""


class QueryTimeoutError(QueryError):
    """Raise when a query runs past its time limit."""


class ConflictError(StoreError):
    """Raise when a graph no longer has the content a conditional write expected."""

    def __init__(self, graph: str, expected: str | None, found: str | None) -> None:
        super().__init__(
            f"graph {graph} changed: expected {expected or 'no content'}, found {found or 'none'}"
        )
        self.graph = graph
        self.expected = expected
        self.found = found


@dataclass(frozen=True, slots=True)
class Description:
    """What the store knows about one resource.

    ``triples`` holds the resource's own triples (with those of its hash IRIs,
    such as ``…#source``), the types and labels of everything it links to, and
    the resources that link to it with their labels and dates. ``inbound_total``
    counts every resource linking to it, including those left out by the limit.
    """

    iri: str
    triples: tuple[Triple, ...]
    inbound_total: int = 0

    def __bool__(self) -> bool:
        return bool(self.triples)

    def resources(self) -> frozenset[int]:
        """Return the keys of what the description was read from.

        A description is read by subject (the resource, its parts, what it links
        to, what links to it: every IRI or blank node in its triples) and by
        object (the links to the resource itself); a change whose triples have
        none of those subjects and do not link to the resource cannot change it.
        Keys as :func:`~miglod.store.terms.resource_key` and
        :func:`~miglod.store.terms.object_key` make them.
        """
        from miglod.store.terms import object_key, resource_key

        keys = {resource_key(self.iri), object_key(self.iri)}
        for subject, _, obj in self.triples:
            for term in (subject, obj):
                if isinstance(term, URIRef):
                    keys.add(resource_key(str(term)))
                elif isinstance(term, BNode):
                    keys.add(resource_key("_:" + str(term)))
        return frozenset(keys)


@dataclass(frozen=True, slots=True)
class QueryResult:
    """The answer to a query, as plain values that can cross a process boundary."""

    kind: TypingLiteral["boolean", "solutions", "triples"]
    boolean: bool | None = None
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Node | None, ...], ...] = ()
    triples: tuple[Triple, ...] = ()
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Listing:
    """One page of dated resources, newest first, and how many there are in all."""

    items: tuple[tuple[str, str], ...]
    total: int


@dataclass(frozen=True, slots=True, order=True)
class Change:
    """One named graph written or removed at a time.

    ``agent`` names who wrote it (a write token's name; empty for a build),
    ``before`` and ``after`` are the digests of the graph's content before and
    after the change (``None`` where it had none: a new graph, a removal).
    """

    modified: dt.datetime
    graph: str
    deleted: bool = False
    agent: str = ""
    before: str | None = None
    after: str | None = None


@dataclass(frozen=True, slots=True)
class GraphStatus:
    """What the store knows of one named graph now: its digest and last change."""

    graph: str
    digest: str
    modified: dt.datetime
    deleted: bool = False


class DigestState(Protocol):
    """What a conditional write compares: a graph's digest, and whether it was removed."""

    @property
    def digest(self) -> str: ...

    @property
    def deleted(self) -> bool: ...


def live_digest(state: DigestState | None) -> str | None:
    """Return the digest of a graph's content, ``None`` when it has none (never written, or removed)."""
    return None if state is None or state.deleted else state.digest


def check_expected(
    expect: Mapping[str, str | None], states: Mapping[str, DigestState | None]
) -> None:
    """Raise :class:`ConflictError` unless every graph in ``expect`` holds the digest expected.

    ``None`` expects a graph with no content; ``states`` holds what each store knows.
    """
    for graph, wanted in expect.items():
        found = live_digest(states.get(graph))
        if found != wanted:
            raise ConflictError(graph, wanted, found)


class Store(ABC):
    """Read and write a dataset of named graphs."""

    @property
    @abstractmethod
    def version(self) -> str:
        """Return a token that changes whenever the data may have changed."""

    @property
    def query_version(self) -> str:
        """Return the version of the data queries see.

        It may lag behind :attr:`version` while a store keeps recent writes
        aside until they are folded into what queries read.
        """
        return self.version

    @property
    def position(self) -> Position | None:
        """Return where the data stands in its line of changes (``None``: not tracked).

        Stores that note which resources each change named (see :meth:`untouched`)
        answer the name of their lineage and the number of the last change.
        """
        return None

    def untouched(self, since: Position, until: Position, resources: frozenset[int]) -> bool:
        """Return whether no change after ``since`` up to ``until`` named any of ``resources``.

        ``False`` whenever the store cannot tell (a new build, changes it no
        longer remembers), so an answer kept from ``since`` is only reused
        when it is certainly still right.
        """
        return False

    @property
    @abstractmethod
    def modified(self) -> dt.datetime | None:
        """Return the time of the last change to any graph, if anything was stored."""

    @abstractmethod
    def refresh(self, *, wait: bool = True) -> bool:
        """Catch up with writes made by other processes; return whether the data moved on.

        ``wait=False`` lets a store that is switching to new files in another
        thread answer from what it has meanwhile, where that is just as current.
        """

    @abstractmethod
    def describe(self, iri: str, *, inbound_limit: int = INBOUND_LIMIT) -> Description:
        """Return the description of one resource (empty when it is unknown)."""

    @abstractmethod
    def query(
        self, sparql: str, *, timeout: float | None = None, limit: int | None = None
    ) -> QueryResult:
        """Evaluate a read-only SPARQL query over the union of all graphs.

        ``timeout`` is in seconds; ``limit`` caps the rows or triples kept, and
        ``truncated`` tells when the cap was reached.
        """

    @abstractmethod
    def latest(
        self,
        *,
        linked_to: Sequence[str] = (),
        since: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Listing:
        """Return dated resources (news items), newest first, as (IRI, date) pairs.

        Only resources that link to every IRI in ``linked_to`` and are dated on
        or after ``since`` (an ISO date) are listed.
        """

    @abstractmethod
    def changes(
        self, since: dt.datetime | None = None, *, after: str = "", limit: int = 1000
    ) -> list[Change]:
        """Return the graphs written or removed after ``since``, oldest first.

        Changes at exactly ``since`` are included when their graph sorts after
        ``after``: pass the last change's time and graph to read the next page.
        """

    @abstractmethod
    def status(self, graph: str) -> GraphStatus | None:
        """Return the digest and last change of ``graph`` (``None`` when never stored).

        A removed graph answers with ``deleted`` set, so it can be told from one
        that never existed (``410 Gone`` rather than ``404``).
        """

    @abstractmethod
    def history(self, graph: str) -> list[Change]:
        """Return every recorded change to ``graph``, oldest first."""

    @abstractmethod
    def version_of(self, graph: str, digest: str) -> tuple[Triple, ...] | None:
        """Return the triples ``graph`` held when its digest was ``digest``, if kept."""

    @abstractmethod
    def replace_graphs(
        self,
        quads_by_graph: Mapping[str, Iterable[Triple]],
        *,
        at: dt.datetime | None = None,
        agent: str = "",
        expect: Mapping[str, str | None] | None = None,
    ) -> list[Change]:
        """Replace each named graph by its triples, all at once or not at all.

        A graph whose content is unchanged keeps its modification time and is not
        reported; the changes actually made are returned. ``expect`` maps graphs
        to the digest they must hold when the write takes effect (``None``: the
        graph must hold nothing); otherwise :class:`ConflictError` is raised and
        nothing is written. The check and the write are one atomic step.
        """

    @abstractmethod
    def delete_graphs(
        self,
        graphs: Iterable[str],
        *,
        at: dt.datetime | None = None,
        agent: str = "",
        expect: Mapping[str, str | None] | None = None,
    ) -> list[Change]:
        """Remove named graphs, all at once or not at all, and record their removal.

        ``expect`` works as for :meth:`replace_graphs`.
        """

    @abstractmethod
    def close(self) -> None:
        """Release the files and handles the store holds."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
