"""Keep the quads of the subjects a write's validation reads, from one view to the next."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pyoxigraph as ox

from miglod.store.base import Position
from miglod.store.overlay import GraphTerm, Merged, Term
from miglod.store.terms import resource_key

if TYPE_CHECKING:
    from miglod.store.oxigraph import OxigraphStore

#: Subjects whose quads :meth:`OxigraphStore.quads_view` keeps between views.
SUBJECTS_KEPT = 4096


class KeptSubjects:
    """A quads view that answers lookups by subject alone from an earlier view's, while right.

    Validating a write reads the same reference data every time (the
    countries, organisations and classes items link to); each lookup in the
    on-disk generation costs a storage iterator. The quads found for a subject
    are kept on the store with the position they were read at, and used again
    at a later position when no journal entry since named that subject (see
    :meth:`OxigraphStore.untouched`: an entry names every subject of its graph
    before and after). Any other pattern goes to the view itself.
    """

    def __init__(
        self,
        view: ox.Store | Merged,
        position: Position,
        store: OxigraphStore,
        kept: dict[str, tuple[Position, tuple[ox.Quad, ...]]],
    ) -> None:
        self.view = view
        self.position = position
        self.store = store
        self.kept = kept

    def quads_for_pattern(
        self, subject: Term, predicate: Term, obj: Term, graph_name: GraphTerm = None
    ) -> Iterator[ox.Quad]:
        """Yield the quads matching the pattern."""
        if not (
            isinstance(subject, ox.NamedNode)
            and predicate is None
            and obj is None
            and graph_name is None
        ):
            return iter(self.view.quads_for_pattern(subject, predicate, obj, graph_name))  # type: ignore[arg-type]
        kept_all = self.kept
        kept = kept_all.get(subject.value)
        if kept is not None:
            at, quads = kept
            if at == self.position:
                return iter(quads)
            if self.store.untouched(at, self.position, frozenset({resource_key(subject)})):
                kept_all[subject.value] = (self.position, quads)
                return iter(quads)
        quads = tuple(self.view.quads_for_pattern(subject, None, None, None))
        kept_all.pop(subject.value, None)
        kept_all[subject.value] = (self.position, quads)
        while len(kept_all) > SUBJECTS_KEPT:  # the oldest read first
            kept_all.pop(next(iter(kept_all)), None)
        return iter(quads)
