"""The columnar engine answers exactly what pyoxigraph answers over the same union, or defers to it."""

from __future__ import annotations

import gc
import json
import os
import pickle
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from benchmarks.sparql_data import BASE, write_nquads
from miglod.query.columnar import ColumnarCopy, plan_key
from miglod.query.columnar_terms import plain_term
from miglod.query.evaluate import Engines, QueryRequest, Spool, evaluate
from miglod.query.examples import examples
from miglod.query.formats import formats_for
from miglod.query.sqlplan import FALLBACK, Unsupported, compile_select

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
NT = ox.RdfFormat.N_TRIPLES
TSV = ox.QueryResultsFormat.TSV


def load(store: ox.Store, chunk: int = 4096, *, twice: bool = False) -> ColumnarCopy:
    """Return a columnar copy of the default graph of ``store``, fed in small chunks.

    With ``twice`` every triple is fed twice, as when it is stated in two graphs.
    """
    data = store.dump(format=NT, from_graph=ox.DefaultGraph())
    if twice:
        data = b"".join(line + line for line in data.splitlines(keepends=True))
    copy = ColumnarCopy(min_triples=0)
    copy.load(data, "v1", chunk)
    return copy


def answers(copy: ColumnarCopy, store: ox.Store, query: str) -> tuple[list[str], list[str]]:
    """Return the TSV lines of the columnar answer and of pyoxigraph's, both as pyoxigraph writes them."""
    body, truncated = copy.select(query, None)
    assert not truncated
    mine = ox.parse_query_results(body, format=TSV)
    assert isinstance(mine, ox.QuerySolutions)
    theirs = store.query(query)
    assert isinstance(theirs, ox.QuerySolutions)
    return (
        mine.serialize(format=TSV).decode().split("\n"),
        theirs.serialize(format=TSV).decode().split("\n"),
    )


def same(copy: ColumnarCopy, store: ox.Store, query: str, *, ordered: bool = False) -> list[str]:
    """Assert both engines give the same solutions (in the same order when ``ordered``)."""
    mine, theirs = answers(copy, store, query)
    if ordered:
        assert mine == theirs
    else:
        assert mine[0] == theirs[0]
        assert sorted(mine[1:]) == sorted(theirs[1:])
    return mine


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    """Return the union of 1,500 synthetic news items, in memory."""
    path = tmp_path_factory.mktemp("news") / "items.nq"
    write_nquads(path, 1500)
    store = ox.Store()
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
        store.add(ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph()))
    return store


@pytest.fixture(scope="module")
def news_copy(news: ox.Store) -> ColumnarCopy:
    """Return the columnar copy of the synthetic news."""
    return load(news, chunk=1 << 16)


def test_examples_match_pyoxigraph(news: ox.Store, news_copy: ColumnarCopy) -> None:
    for example in examples(BASE):
        lines = same(news_copy, news, example.query, ordered=True)
        assert len(lines) > 3, example.name


def test_examples_after_a_delta(news: ox.Store) -> None:
    store = ox.Store()
    store.extend(news)
    copy = load(store, chunk=1 << 16)
    mentions = ox.NamedNode("https://schema.org/mentions")
    about = ox.NamedNode("https://schema.org/about")
    removed = list(store.quads_for_pattern(None, mentions, None))[::3]
    removed += list(store.quads_for_pattern(None, about, None))[::5]
    iom = ox.NamedNode(BASE + "id/organization/iom")
    items = [q.subject for q in store.quads_for_pattern(None, about, None)][:40]
    added = [ox.Quad(item, mentions, iom, ox.DefaultGraph()) for item in items]
    added.append(ox.Quad(items[0], about, ox.NamedNode(BASE + "id/country/PA"), ox.DefaultGraph()))
    added += [
        ox.Quad(item, ox.NamedNode(EX + "new"), ox.Literal("fresh"), ox.DefaultGraph())
        for item in items
    ]
    for quad in removed:
        store.remove(quad)
    store.extend(added)
    copy.apply_delta(
        ox.serialize([q.triple for q in removed], format=NT),
        ox.serialize([q.triple for q in added], format=NT),
        "v2",
    )
    assert copy.version == "v2" and copy.ready
    for example in examples(BASE):
        same(copy, store, example.query, ordered=True)
    same(copy, store, f"SELECT ?s WHERE {{ ?s <{EX}new> ?o }}")
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{EX}new> ?o }}"
    assert same(copy, store, count)[1] == "40"


def test_terms_are_numbered_in_the_order_of_their_class_and_form(
    news: ox.Store, news_copy: ColumnarCopy
) -> None:
    db = news_copy.tables.db
    ordered = [
        row[0]
        for row in db.execute("SELECT id FROM terms ORDER BY cls, lex, lang, dt, nt").fetchall()
    ]
    assert ordered == list(range(len(ordered)))
    # the news items' IRIs are one run of ids, so a join fetching them skips the other row groups
    low, high, count = db.execute(
        "SELECT min(id), max(id), count(*) FROM terms WHERE cls = 'I' AND starts_with(lex, ?)",
        [BASE + "id/news/"],
    ).fetchall()[0]
    assert count > 3 and high - low + 1 == count
    # every triple survived the renumbering, and a term's id is found from its text
    assert news_copy.triples == len({q.triple for q in news})
    iom = f"<{BASE}id/organization/iom>"
    (found,) = news_copy.tables.term_ids([iom])
    assert db.execute("SELECT nt FROM terms WHERE id = ?", [found]).fetchall() == [(iom,)]


def test_deltas_keep_the_triples_a_set_and_every_term_id_new(edge: ox.Store) -> None:
    store = ox.Store()
    store.extend(edge)
    copy = load(store)
    existing = next(iter(store.quads_for_pattern(None, None, None)))
    for step in range(3):
        fresh = ox.Triple(
            ox.NamedNode(f"{EX}new{step}"), ox.NamedNode(f"{EX}p"), ox.Literal(f"v{step}")
        )
        gone = [existing.triple] if step == 1 else []
        added = [fresh, existing.triple] if step != 1 else [fresh]  # one already there
        for triple in gone:
            store.remove(ox.Quad(*triple, ox.DefaultGraph()))
        store.extend(ox.Quad(*t, ox.DefaultGraph()) for t in added)
        copy.apply_delta(
            ox.serialize(gone, format=NT), ox.serialize(added, format=NT), f"v{step + 2}"
        )
        assert copy.ready and copy.version == f"v{step + 2}"
        assert copy.triples == len(store)
        ids, distinct, top = copy.tables.db.execute(
            "SELECT count(*), count(DISTINCT id), max(id) FROM terms"
        ).fetchall()[0]
        assert ids == distinct == top + 1 == copy.tables.next_id
        rows = copy.tables.db.execute(
            "SELECT count(*), count(DISTINCT (s, p, o)) FROM triples"
        ).fetchall()
        assert rows[0][0] == rows[0][1]
    same(copy, store, f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }}")


EDGE = f"""
<{EX}a> <{EX}p> "plain" .
<{EX}a> <{EX}p> "Plain"@en .
<{EX}a> <{EX}p> "plain"@en-GB .
<{EX}a> <{EX}p> "Ünïcode ΣΑΣ"@el .
<{EX}a> <{EX}p> "1"^^<{XSD}integer> .
<{EX}a> <{EX}p> "01"^^<{XSD}integer> .
<{EX}a> <{EX}p> "1.5"^^<{XSD}decimal> .
<{EX}a> <{EX}p> "2.5E0"^^<{XSD}double> .
<{EX}a> <{EX}p> "NaN"^^<{XSD}double> .
<{EX}a> <{EX}p> "true"^^<{XSD}boolean> .
<{EX}b> <{EX}p> "2021-01-01"^^<{XSD}date> .
<{EX}b> <{EX}p> "2021-02-30"^^<{XSD}date> .
<{EX}b> <{EX}p> "2021-06-01T10:00:00Z"^^<{XSD}dateTime> .
<{EX}b> <{EX}p> "2021-06-01T10:00:00"^^<{XSD}dateTime> .
<{EX}b> <{EX}p> "x"^^<{EX}custom> .
<{EX}b> <{EX}p> "tab\\there \\"quoted\\" back\\\\slash" .
<{EX}b> <{EX}p> _:blank .
<{EX}b> <{EX}p> <{EX}c> .
<{EX}c> <{EX}q> "2020-05-05"^^<{XSD}date> .
<{EX}c> <{EX}name> "C"@en .
<{EX}d> <{EX}q> "2019-05-05"^^<{XSD}date> .
_:blank <{EX}name> "blank"@en .
<{EX}c> <{EX}label> "alpha" .
<{EX}d> <{EX}label> "beta" .
<{EX}a> <{EX}label> "Alpha"@en .
"""


@pytest.fixture(scope="module")
def edge() -> ox.Store:
    """Return hand-written data with every kind of term, as an in-memory union."""
    union = ox.Store()
    union.load(EDGE.encode(), format=NT)
    return union


@pytest.fixture(scope="module")
def edge_copy(edge: ox.Store) -> ColumnarCopy:
    """Return the columnar copy of the edge data, each triple fed as if stated in two graphs."""
    return load(edge, chunk=64, twice=True)


EDGE_QUERIES = [
    f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }}",
    f"SELECT ?o (LANG(?o) AS ?l) (STR(?o) AS ?t) WHERE {{ ?s <{EX}p> ?o }}",
    f'SELECT ?o WHERE {{ ?s <{EX}p> ?o FILTER(LANG(?o) = "en") }}',
    f'SELECT ?o WHERE {{ ?s <{EX}p> ?o FILTER(CONTAINS(LCASE(STR(?o)), "plain")) }}',
    f'SELECT ?o WHERE {{ ?s <{EX}p> ?o FILTER(STRSTARTS(?o, "pl")) }}',
    f'SELECT ?o WHERE {{ ?s <{EX}p> ?o FILTER(CONTAINS(?o, "lain"@en)) }}',
    f"SELECT ?o (YEAR(?o) AS ?y) WHERE {{ <{EX}b> <{EX}p> ?o }}",
    f'SELECT ?o WHERE {{ <{EX}b> <{EX}p> ?o FILTER(?o >= "2021-01-01"^^<{XSD}date>) }}',
    f'SELECT ?o WHERE {{ <{EX}b> <{EX}p> ?o FILTER(?o != "2021-01-01"^^<{XSD}date>) }}',
    f"SELECT ?o WHERE {{ ?s <{EX}p> ?o FILTER(?o = <{EX}c> || ?o = <{EX}nowhere>) }}",
    f"SELECT ?o WHERE {{ ?s <{EX}p> ?o FILTER(!(?o != <{EX}c>)) }}",
    f"SELECT ?s ?o ?n WHERE {{ ?s <{EX}p> ?o OPTIONAL {{ ?o <{EX}name> ?n }} }}",
    f"SELECT ?s ?o ?d WHERE {{ ?s <{EX}p> ?o OPTIONAL {{ ?o <{EX}q> ?d FILTER(?d > ?o) }} }}",
    f"SELECT ?o ?n WHERE {{ ?s <{EX}p> ?o OPTIONAL {{ ?o <{EX}name> ?n }} FILTER(!BOUND(?n)) }}",
    f"SELECT ?x ?d WHERE {{ {{ ?x <{EX}q> ?d }} UNION {{ ?x <{EX}name> ?d }} }}",
    "SELECT ?s (COUNT(?o) AS ?n) (COUNT(DISTINCT ?o) AS ?m) WHERE { ?s ?p ?o } GROUP BY ?s",
    f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{EX}nowhere> ?o }}",
    "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s",
    "SELECT DISTINCT ?s WHERE { ?s ?p ?o }",
    "SELECT ?s ?p WHERE { ?s ?p ?s2 . ?s2 ?p ?o }",
    f"SELECT ?x WHERE {{ ?x <{EX}name> ?n . ?y <{EX}p> ?x }}",
    f'SELECT ?x WHERE {{ ?x <{EX}name> "C"@EN }}',
    f"SELECT ?c ?y WHERE {{ {{ SELECT ?c (COUNT(?d) AS ?y) WHERE {{ ?c <{EX}q> ?d }} GROUP BY ?c }} }}",
    f"SELECT ?x ?y WHERE {{ ?x <{EX}q> ?d BIND(YEAR(?d) AS ?y) FILTER(?y < 2020) }}",
    f"SELECT ?a ?b WHERE {{ ?s <{EX}p> ?a . ?s <{EX}p> ?b FILTER(?a = ?b) }}",
    f"SELECT ?a ?b WHERE {{ <{EX}a> <{EX}p> ?a . <{EX}b> <{EX}p> ?b FILTER(?a < ?b) }}",
    f"SELECT * WHERE {{ ?x <{EX}q> ?d OPTIONAL {{ ?x <{EX}name> ?n }} }}",
    f"SELECT ?o WHERE {{ ?s <{EX}p> ?o FILTER(STR(?o) = LANG(?o)) }}",
    f'SELECT ?o WHERE {{ ?s <{EX}p> ?o FILTER(STR(?o) = "plain" || LANG(?o) != "en") }}',
    f"SELECT ?c ?y ?n WHERE {{ {{ SELECT ?c (COUNT(?d) AS ?y) WHERE {{ ?c <{EX}q> ?d }} GROUP BY ?c }}"
    f" ?c <{EX}name> ?n }}",
    f"SELECT ?c ?y ?n WHERE {{ {{ SELECT ?c (COUNT(?d) AS ?y) WHERE {{ ?c <{EX}q> ?d }} GROUP BY ?c }}"
    f" OPTIONAL {{ ?c <{EX}name> ?n }} }}",
    f"SELECT ?x ?z ?m WHERE {{ ?x <{EX}q> ?d OPTIONAL {{ ?x <{EX}name> ?n }} BIND(?n AS ?z)"
    f" OPTIONAL {{ ?z ?p ?m }} }}",
    f'SELECT ?s ?o WHERE {{ ?s <{EX}q> ?o FILTER("2020-01-01"^^<{XSD}date> <= ?o) }}',
    f'SELECT ?s ?o WHERE {{ ?s <{EX}q> ?o FILTER(?o < "2020-01-01T00:00:00Z"^^<{XSD}dateTime>) }}',
    f"SELECT ?s ?o WHERE {{ ?s <{EX}q> ?o FILTER(?o > 3 || YEAR(?o) >= 2020) }}",
    f'SELECT ?x ?n WHERE {{ ?x <{EX}name> ?n FILTER(?n < "c" || STR(?n) < "c") }}',
]
ORDERED_QUERIES = [
    f"SELECT ?x ?d WHERE {{ ?x <{EX}q> ?d }} ORDER BY ?d",
    f"SELECT ?x ?d WHERE {{ ?x <{EX}q> ?d }} ORDER BY DESC(?d) LIMIT 1",
    f"SELECT ?x ?n WHERE {{ ?x <{EX}q> ?d OPTIONAL {{ ?x <{EX}name> ?n }} }} ORDER BY ?n ?x",
    f"SELECT ?x ?n WHERE {{ ?x <{EX}q> ?d OPTIONAL {{ ?x <{EX}name> ?n }} }} ORDER BY DESC(?n) ?x",
    f"SELECT ?s ?n WHERE {{ ?s <{EX}q> ?d BIND(STR(?d) AS ?n) }} ORDER BY DESC(?n) LIMIT 5 OFFSET 1",
    "SELECT DISTINCT ?s WHERE { ?s ?p ?o } ORDER BY ?s",
    "SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY DESC(?n) ?s",
    f"SELECT ?x ?y WHERE {{ ?x <{EX}q> ?d OPTIONAL {{ ?x <{EX}name> ?n }} BIND(STR(?n) AS ?y) }}"
    " ORDER BY ?y ?x",
    f"SELECT ?x ?y WHERE {{ ?x <{EX}q> ?d OPTIONAL {{ ?x <{EX}name> ?n }} BIND(STR(?n) AS ?y) }}"
    " ORDER BY DESC(?y) ?x",
    f"SELECT ?x ?y WHERE {{ ?x <{EX}q> ?d BIND(YEAR(?d) AS ?y) }} ORDER BY DESC(?y) ?x LIMIT 1",
    "SELECT DISTINCT ?p WHERE { ?s ?p ?o } ORDER BY DESC(?p)",
    "SELECT ?x (COUNT(*) AS ?n) WHERE { ?x ?p ?o } GROUP BY ?x ORDER BY DESC(?x)",
    f"SELECT DISTINCT ?x WHERE {{ {{ ?x <{EX}q> ?d }} UNION {{ ?x <{EX}name> ?n }} }} ORDER BY ?x",
    f"SELECT DISTINCT ?x WHERE {{ {{ ?x <{EX}q> ?d }} UNION {{ ?y <{EX}name> ?x }} }} ORDER BY ?x",
    f"SELECT DISTINCT ?n WHERE {{ ?x <{EX}name> ?n OPTIONAL {{ ?n <{EX}q> ?d }} }} ORDER BY ?n",
    f"SELECT DISTINCT ?v WHERE {{ {{ ?a <{EX}p> ?v . ?v <{EX}q> ?d }} UNION {{ ?a <{EX}name> ?v }}"
    f" OPTIONAL {{ ?v <{EX}name> ?n }} }} ORDER BY ?v",
    # Variables a filter tells the class of: sorted by their value alone.
    f'SELECT ?x ?d WHERE {{ ?x <{EX}q> ?d FILTER(?d > "2000-01-01"^^<{XSD}date>) }}'
    " ORDER BY DESC(?d) ?x",
    f'SELECT ?x ?d WHERE {{ ?x <{EX}q> ?d FILTER("2030-01-01"^^<{XSD}date> >= ?d'
    f' && ?d >= "2019-06-01"^^<{XSD}date>) }} ORDER BY ?d',
    f"SELECT ?x ?d WHERE {{ ?x <{EX}name> ?n OPTIONAL {{ {{ ?x <{EX}q> ?d"
    f' FILTER(?d > "2000-01-01"^^<{XSD}date>) }} }} }} ORDER BY DESC(?d) ?x',
    f"SELECT ?x ?d WHERE {{ ?x <{EX}name> ?n OPTIONAL {{ {{ ?x <{EX}q> ?d"
    f' FILTER(?d > "2000-01-01"^^<{XSD}date>) }} }} }} ORDER BY ?d ?x',
    f'SELECT ?x ?n WHERE {{ ?x <{EX}label> ?n FILTER(?n < "zzz") }} ORDER BY DESC(?n) ?x',
    f'SELECT ?x ?d WHERE {{ {{ ?x <{EX}q> ?d FILTER(?d > "2000-01-01"^^<{XSD}date>) }}'
    f" OPTIONAL {{ ?x <{EX}name> ?d }} }} ORDER BY ?d ?x",
    f"SELECT ?x (SAMPLE(?d) AS ?e) WHERE {{ ?x <{EX}q> ?d"
    f' FILTER(?d > "2000-01-01"^^<{XSD}date>) }} GROUP BY ?x ORDER BY ?e',
    f"SELECT ?x ?e WHERE {{ ?x <{EX}q> ?d"
    f' FILTER(?d > "2000-01-01"^^<{XSD}date>) BIND(?d AS ?e) }} ORDER BY DESC(?e) ?x',
    # Joined variables a node or of one class on one side only, bound on both.
    f"SELECT ?o ?n WHERE {{ ?s <{EX}p> ?o . ?o <{EX}name> ?n }} ORDER BY DESC(?o)",
    f"SELECT ?x ?d WHERE {{ ?x <{EX}q> ?d {{ SELECT ?d WHERE {{ ?y <{EX}q> ?d"
    f' FILTER(?d > "2000-01-01"^^<{XSD}date>) }} }} }} ORDER BY DESC(?d)',
]
#: Sorts over literals of several families, which only pyoxigraph answers, though a
#: filter tells the class of the variable somewhere.
MIXED_ORDER_QUERIES = [
    f'SELECT ?x ?d WHERE {{ {{ ?x <{EX}q> ?d FILTER(?d > "2000-01-01"^^<{XSD}date>) }}'
    f" UNION {{ ?x <{EX}name> ?d }} }} ORDER BY ?d ?x",
    f"SELECT ?x ?d WHERE {{ ?x <{EX}name> ?n {{ ?x <{EX}q> ?d"
    f' FILTER(?d > "2000-01-01"^^<{XSD}date>) }} UNION {{ ?x <{EX}label> ?d }} }} ORDER BY ?d',
    f'SELECT ?x ?d WHERE {{ ?x <{EX}label> ?d FILTER(?d > "b" || LANG(?d) = "en") }} ORDER BY ?d',
]


@pytest.mark.parametrize("query", EDGE_QUERIES)
def test_edge_queries_match(edge: ox.Store, edge_copy: ColumnarCopy, query: str) -> None:
    try:
        same(edge_copy, edge, query)
    except Unsupported as exc:  # only the data's odd literals may send a query back
        assert "pyoxigraph's comparisons" in str(exc), query


@pytest.mark.parametrize("query", ORDERED_QUERIES)
def test_edge_order_matches(edge: ox.Store, edge_copy: ColumnarCopy, query: str) -> None:
    same(edge_copy, edge, query, ordered=True)


@pytest.mark.parametrize("query", MIXED_ORDER_QUERIES)
def test_a_filter_elsewhere_does_not_make_a_mixed_sort_one_class(
    edge_copy: ColumnarCopy, query: str
) -> None:
    with pytest.raises(Unsupported):
        edge_copy.select(query, None)


def test_every_edge_query_but_odd_data_is_answered(edge_copy: ColumnarCopy) -> None:
    # The six that meet NaN, an invalid date, a boolean, or the final sigma of LCASE defer.
    answered = 0
    for query in EDGE_QUERIES:
        try:
            edge_copy.select(query, None)
            answered += 1
        except Unsupported:
            pass
    assert answered == len(EDGE_QUERIES) - 6


@pytest.mark.parametrize(
    "query",
    [
        "ASK { ?s ?p ?o }",
        "SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?s",
        f"SELECT ?s WHERE {{ ?s <{EX}p>+ ?o }}",
        "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
        "SELECT ?s WHERE { ?s ?p ?o FILTER(REGEX(?o, 'x')) }",
        "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2",
        f"SELECT ?s WHERE {{ VALUES ?s {{ <{EX}a> }} ?s ?p ?o }}",
        f"SELECT ?s WHERE {{ ?s ?p ?o MINUS {{ ?s <{EX}q> ?d }} }}",
        "SELECT (MAX(?o) AS ?m) WHERE { ?s ?p ?o }",
    ],
)
def test_unsupported_queries_are_refused(edge_copy: ColumnarCopy, query: str) -> None:
    with pytest.raises(Unsupported):
        edge_copy.select(query, None)


def test_odd_data_sends_the_query_back(edge_copy: ColumnarCopy) -> None:
    with pytest.raises(Unsupported, match="comparisons"):
        edge_copy.select(f"SELECT ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?o", None)
    with pytest.raises(Unsupported, match="comparisons"):
        edge_copy.select(f"SELECT ?o WHERE {{ ?s <{EX}p> ?o FILTER(?o > 0) }}", None)


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?o",
        "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2",
        f"ASK {{ ?s <{EX}p> ?o }}",
        "SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY ?s",
    ],
)
def test_evaluate_falls_back_and_writes_every_format(
    edge: ox.Store, edge_copy: ColumnarCopy, query: str
) -> None:
    plain = Engines(disk=lambda: edge, union=edge)
    both = Engines(disk=lambda: edge, union=edge, columnar=edge_copy)
    form = "ASK" if query.startswith("ASK") else "SELECT"
    for fmt in formats_for(form):
        for limit in (None, 1, 100):
            request = QueryRequest(query, format=fmt.name, limit=limit)
            one = evaluate(request, plain, Spool(None, "a"))
            two = evaluate(request, both, Spool(None, "b"))
            assert (one.rows, one.truncated, one.format) == (two.rows, two.truncated, two.format)
            assert one.read() == two.read(), (query, fmt.name, limit)


def test_row_cap_is_exact(news: ox.Store, news_copy: ColumnarCopy) -> None:
    query = next(e.query for e in examples(BASE) if e.name == "items-per-country-year")
    body, truncated = news_copy.select(query, 5)
    assert truncated and body.count(b"\n") == 6
    full, truncated = news_copy.select(query, 10_000)
    assert not truncated and full.startswith(body)


def test_runners_forked_after_the_copy_answer(edge: ox.Store, edge_copy: ColumnarCopy) -> None:
    query = "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s"
    expected = edge_copy.select(query, None)
    results = []
    for _ in range(3):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            status = 0
            try:
                with os.fdopen(write, "wb") as out:
                    pickle.dump(edge_copy.select(query, None), out)
            except BaseException:
                status = 1
            os._exit(status)
        os.close(write)
        with os.fdopen(read, "rb") as stream:
            results.append(pickle.load(stream))
        assert os.waitpid(pid, 0)[1] == 0
    assert results == [expected] * 3


def test_a_new_load_starts_empty(tmp_path: Path, edge: ox.Store) -> None:
    copy = load(edge)
    copy.begin()
    assert not copy.ready
    with pytest.raises(Unsupported):
        copy.select("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", None)
    copy.feed(f"<{EX}z> <{EX}p> <{EX}y> .\n".encode())
    copy.finish("v9")
    assert copy.select("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", None)[0] == (
        f"?s\n<{EX}z>\n".encode()
    )


def test_plans_are_shared_by_texts_that_differ_in_whole_line_comments_only() -> None:
    query = "SELECT ?s WHERE {\n  ?s ?p ?o .\n}"
    assert plan_key(query) == plan_key("# asked again\n" + query + "\n  # 12345")
    assert plan_key(query) == plan_key(query.replace("\n", "\r\n"))
    # A comment ends at a carriage return too: what follows it is part of the query.
    assert plan_key("SELECT * WHERE {\n# c\r?s ?p ?o }") != plan_key("SELECT * WHERE {\n}")
    # Not a comment: '#' inside an IRI, or a line of a long string.
    assert plan_key("SELECT * { ?s ?p <http://x/#a> }") != plan_key(
        "SELECT * { ?s ?p <http://x/#b> }"
    )
    long = 'SELECT * { ?s ?p """a\n# b""" }'
    assert plan_key(long) == long and plan_key(long) != plan_key('SELECT * { ?s ?p """a\n""" }')


def test_a_commented_variant_is_answered_from_the_kept_plan(
    news: ox.Store, news_copy: ColumnarCopy
) -> None:
    for example in examples(BASE, None):
        same(news_copy, news, example.query)
        kept = len(news_copy.plans)
        same(news_copy, news, f"# run {kept}\n{example.query}\n# {example.name}")
        assert len(news_copy.plans) == kept, "the variant compiled a plan of its own"


def test_common_shapes_compile_to_cheap_sql() -> None:
    """The SQL carries no work the query does not need (the answers are checked above)."""
    lang = compile_select(f'SELECT ?o WHERE {{ ?s <{EX}p> ?o FILTER(LANG(?o) = "en") }}')
    assert FALLBACK not in lang.template, "two simple literals compared as any two terms"
    other = compile_select(f"SELECT ?o WHERE {{ ?s <{EX}p> ?o FILTER(?o != <{EX}c>) }}")
    assert other.template.count("JOIN terms") == 1, "attributes joined for an id comparison"
    grouped = compile_select(
        f"SELECT ?c ?y ?n WHERE {{ {{ SELECT ?c (COUNT(?d) AS ?y) WHERE {{ ?c <{EX}q> ?d }}"
        f" GROUP BY ?c }} OPTIONAL {{ ?c <{EX}name> ?n }} }}"
    )
    assert "IS NULL OR" not in grouped.template, "a group key joined as if it could be unbound"
    dated = compile_select(
        f'SELECT ?o WHERE {{ ?s <{EX}p> ?o FILTER(?o >= "2021-01-01"^^<{XSD}date>) }}'
    )
    assert "('I', 'B', 'O')" not in dated.template, "a date constant compared as any term"
    counted = compile_select(
        f"SELECT ?s (COUNT(?o) AS ?n) WHERE {{ ?s <{EX}p> ?o }} GROUP BY ?s ORDER BY DESC(?n)"
    )
    assert "'Ni'" not in counted.template, "a count sorted by the keys of any term"
    subjects = compile_select(f"SELECT ?s ?o WHERE {{ ?s <{EX}q> ?o }} ORDER BY ?s")
    assert "QUALIFY" not in subjects.template, "subjects sorted as if they could be literals"
    theme = next(e.query for e in examples(BASE, None) if e.name == "theme-in-date-range")
    assert "QUALIFY" not in compile_select(theme).template, "dates sorted as any literal"
    pairs = next(e.query for e in examples(BASE, None) if e.name == "co-mentioned-with-iom")
    assert "QUALIFY" not in compile_select(pairs).template, "a joined subject sorted as a literal"


def test_little_data_is_left_to_pyoxigraph(news: ox.Store) -> None:
    copy = load(news)
    query = examples(BASE, None)[0].query
    copy.select(query, None)  # answered
    copy.min_triples = copy.triples + 1
    with pytest.raises(Unsupported, match="pyoxigraph is as fast"):
        copy.select(query, None)
    # Queries that count are left to pyoxigraph on less data than the others.
    copy.min_aggregate_triples = copy.triples
    selective = next(e.query for e in examples(BASE, None) if e.name == "theme-in-date-range")
    assert copy.plan(query).aggregate and not copy.plan(selective).aggregate
    copy.select(query, None)  # answered
    with pytest.raises(Unsupported, match="pyoxigraph is as fast"):
        copy.select(selective, None)


def test_a_request_with_a_base_iri_is_answered_from_the_columns_unless_it_needs_the_base(
    news: ox.Store, news_copy: ColumnarCopy, monkeypatch: pytest.MonkeyPatch
) -> None:
    answered: list[str] = []
    select = ColumnarCopy.select

    def spy(self: ColumnarCopy, sparql: str, limit: int | None) -> tuple[bytes, bool]:
        found = select(self, sparql, limit)
        answered.append(sparql)
        return found

    monkeypatch.setattr(ColumnarCopy, "select", spy)
    plain = Engines(disk=lambda: news, union=news)
    both = Engines(disk=lambda: news, union=news, columnar=news_copy)
    absolute = "SELECT ?c (COUNT(*) AS ?n) WHERE { ?i <https://schema.org/about> ?c } GROUP BY ?c"
    relative = "SELECT ?c (COUNT(*) AS ?n) WHERE { ?i <about> ?c } GROUP BY ?c"
    own_base = "BASE <https://schema.org/> " + relative
    for query, columns in ((absolute, True), (relative, False), (own_base, False)):
        answered.clear()
        request = QueryRequest(query, format="json", limit=None, base_iri="https://schema.org/")
        one = evaluate(request, plain, Spool(None, "a"))
        two = evaluate(request, both, Spool(None, "b"))
        rows = [sorted(map(str, json.loads(o.read())["results"]["bindings"])) for o in (one, two)]
        assert rows[0] == rows[1] and len(rows[0]) > 3, query
        assert bool(answered) is columns, query


def test_duckdb_works_on_a_thread_of_its_own_that_ends_with_the_copy(edge: ox.Store) -> None:
    copy = load(edge)
    worker = copy._call(threading.current_thread)
    assert worker is not threading.current_thread() and worker.is_alive()
    del copy
    gc.collect()
    worker.join(timeout=10)
    assert not worker.is_alive()


def _terms_and_triples(copy: ColumnarCopy) -> tuple[set[tuple[object, ...]], set[tuple[str, ...]]]:
    """Return every term's columns but its id, and the triples written with the terms' texts."""
    db = copy.tables.db
    terms = set(db.execute("SELECT * EXCLUDE (id) FROM terms").fetchall())
    triples = set(
        db.execute(
            "SELECT a.nt, b.nt, c.nt FROM triples JOIN terms a ON a.id = s"
            " JOIN terms b ON b.id = p JOIN terms c ON c.id = o"
        ).fetchall()
    )
    return terms, triples


def test_small_deltas_make_the_terms_and_triples_a_load_makes(edge: ox.Store) -> None:
    """A delta of a few terms is applied from Python; the tables are as if loaded whole."""
    lines = edge.dump(format=NT, from_graph=ox.DefaultGraph()).splitlines(keepends=True)
    lines.append(f'<{EX}q> <{EX}p> "it\'s"@en .\n'.encode())  # an SQL quote in a term
    seed = f"<{EX}seed> <{EX}p> <{EX}seed> .\n".encode()
    copy = ColumnarCopy(min_triples=0)
    copy.load(seed, "v0")
    for step, line in enumerate(lines):  # one triple each: plain terms and typed ones
        copy.apply_delta(b"", line, f"v{step + 1}")
        assert copy.ready
    dropped = lines[::3]
    copy.apply_delta(b"".join(dropped), b"", "gone")
    kept = seed + b"".join(line for line in lines if line not in dropped)
    whole = ColumnarCopy(min_triples=0)
    whole.load(seed + b"".join(lines), "whole")
    assert _terms_and_triples(copy)[0] == _terms_and_triples(whole)[0]
    fresh = ColumnarCopy(min_triples=0)
    fresh.load(kept, "kept")
    assert _terms_and_triples(copy)[1] == _terms_and_triples(fresh)[1]
    assert copy.triples == fresh.triples == len(kept.splitlines())
    ids = copy.tables.db.execute(
        "SELECT count(*), count(DISTINCT id), max(id) + 1 FROM terms"
    ).fetchall()
    assert ids == [(copy.tables.next_id, copy.tables.next_id, copy.tables.next_id)]
    lookup = copy.tables.db.execute("SELECT h, id FROM lookup ORDER BY id").fetchall()
    assert lookup == copy.tables.db.execute("SELECT hash(nt), id FROM terms ORDER BY id").fetchall()
    copy.tables.ids.clear()  # found again through ``lookup``, not remembered
    texts = [line.split(b" ")[0].decode() for line in lines[-3:]]
    assert copy.tables.term_ids(texts) == [
        copy.tables.db.execute("SELECT id FROM terms WHERE nt = ?", [text]).fetchall()[0][0]
        for text in texts
    ]
    store = ox.Store()
    store.load(kept, format=NT)
    same(copy, store, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{EX}p> ?o }}")
    same(copy, store, f"SELECT ?o (STR(?o) AS ?t) WHERE {{ <{EX}a> <{EX}p> ?o }}")


def test_plain_terms_are_taken_apart_as_the_load_does() -> None:
    assert plain_term(f"<{EX}a>") == ("I", f"{EX}a", None, None)
    assert plain_term("_:b1") == ("B", "b1", None, None)
    assert plain_term('"tab\\there \\"q\\""') == ("S", 'tab\there "q"', "", f"{XSD}string")
    assert plain_term(f'"x"^^<{XSD}string>') == ("S", "x", "", f"{XSD}string")
    assert plain_term('"Ünï"@el') == ("L", "Ünï", "el", None)
    assert plain_term(f'"1"^^<{XSD}integer>') is None
    assert plain_term(f'"x"^^<{EX}custom>') is None


def test_deltas_taken_together_are_applied_as_one_with_the_effect_of_each_in_turn() -> None:
    def triple(s: str, o: str) -> bytes:
        return f'<{EX}{s}> <{EX}p> "{o}" .\n'.encode()

    seed = triple("a", "kept") + triple("b", "dropped then back") + triple("c", "dropped")
    steps = [
        (
            triple("b", "dropped then back") + triple("c", "dropped"),
            triple("x", "added then dropped") + triple("y", "y"),
        ),
        (triple("x", "added then dropped"), triple("b", "dropped then back")),
        (triple("y", "y"), triple("z", "z")),
    ]
    one_by_one, together = ColumnarCopy(min_triples=0), ColumnarCopy(min_triples=0)
    for copy in (one_by_one, together):
        copy.load(seed, "v0")
    for n, (gone, new) in enumerate(steps):
        one_by_one.apply_delta(gone, new, f"v{n + 1}")
        together.defer_delta(gone, new, f"v{n + 1}")
    assert len(together.deferred) == 3
    together.settle()
    assert together.deferred == [] and together.ready
    final = ColumnarCopy(min_triples=0)
    final.load(triple("a", "kept") + triple("b", "dropped then back") + triple("z", "z"), "final")
    expected = _terms_and_triples(final)[1]
    assert len(expected) == 3
    assert _terms_and_triples(together)[1] == _terms_and_triples(one_by_one)[1] == expected
    assert together.triples == one_by_one.triples == 3
