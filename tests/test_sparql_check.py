"""What is refused before evaluation, and what the tokenizer makes of a query."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from miglod.query import QueryError, inspect_query
from miglod.query.check import unescape_codepoints

TARGET = "http://127.0.0.1:9/sparql"


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("  # a comment\nPREFIX ex: <http://example.org/>\nBASE <http://b/>\nask {}", "ASK"),
        ("PREFIX : <http://example.org/> CONSTRUCT WHERE { ?s :p ?o }", "CONSTRUCT"),
        ("describe <http://example.org/x>", "DESCRIBE"),
        ("SELEKT * {}", None),
        ("", None),
    ],
)
def test_the_form_is_the_first_keyword_after_the_prologue(query: str, form: str | None) -> None:
    assert inspect_query(query).form == form


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <http://a> <http://b> 1 }",
        "PREFIX ex: <http://e/> DELETE WHERE { ?s ex:p ?o }",
        f"LOAD <{TARGET}>",
        "load silent <http://x/> into graph <http://g/>",
        "CLEAR ALL",
        "DROP GRAPH <http://g/>",
        "WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "CREATE GRAPH <http://g/>",
        "COPY DEFAULT TO <http://g/>",
    ],
)
def test_updates_are_refused(query: str) -> None:
    with pytest.raises(QueryError) as refused:
        inspect_query(query)
    assert (refused.value.status, refused.value.code) == (403, "update_refused")


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT * WHERE {{ SERVICE <{TARGET}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{TARGET}> {{ ?s ?p ?o }} }}",
        f"SELECT*WHERE{{SERVICE<{TARGET}>{{?s?p?o}}}}",
        "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } VALUES ?endpoint { <http://x/> } }",
        f"PREFIX s: <{TARGET}> SELECT * WHERE {{ SERVICE s: {{ ?s ?p ?o }} }}",
        f"ASK {{ {{ SELECT * WHERE {{ SERVICE <{TARGET}> {{}} }} }} }}",
        # "<" read as an IRI hides the clause in a fake string; the safety net parses it properly.
        f"SELECT * WHERE {{ ?s ?p ?a FILTER(?a<'a>b') SERVICE <{TARGET}> {{ ?x ?y ?z }} }} #'",
        f'SELECT * WHERE {{ ?s ?p ?a FILTER(?a<"a>b") SERVICE <{TARGET}> {{ ?x ?y ?z }} }} #"',
        f"SELECT * WHERE {{ SERVIC\\u0045 <{TARGET}> {{ ?s ?p ?o }} }}",
    ],
)
def test_service_is_refused_however_it_is_written(query: str) -> None:
    with pytest.raises(QueryError) as refused:
        inspect_query(query)
    assert refused.value.status == 403
    assert refused.value.code in ("service_refused", "service_unverified")


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "service" }',
        "SELECT * WHERE { ?s ?p '''a SERVICE <http://x/> { } b''' }",
        "SELECT ?service WHERE { ?service ?p ?o }",
        "PREFIX service: <http://e/> SELECT * WHERE { ?s service:p ?o }",
        "SELECT * WHERE { ?s ?p <http://example.org/services/SERVICE> } # SERVICE <http://x/> {}",
        "SELECT * WHERE { ?s ?p <https://w3id.org/miglod/def/theme/information-services> }",
    ],
)
def test_the_word_service_elsewhere_is_not_refused(query: str) -> None:
    assert inspect_query(query).form == "SELECT"


@pytest.mark.parametrize(
    ("query", "names_graphs", "sets_dataset"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", False, False),
        ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", True, False),
        ("SELECT * FROM <http://g/> WHERE { ?s ?p ?o }", True, True),
        ("SELECT * FROM NAMED <http://g/> WHERE { GRAPH ?g { ?s ?p ?o } }", True, True),
        ('SELECT * WHERE { ?s ?p "from the graph" }', False, False),
        ("SELECT * WHERE { ?s ?p <https://w3id.org/miglod/graph/news/x> }", False, False),
        ("SELECT * WHERE { ?graph ?from ?o } # GRAPH", False, False),
    ],
)
def test_queries_that_name_graphs_are_recognised(
    query: str, names_graphs: bool, sets_dataset: bool
) -> None:
    info = inspect_query(query)
    assert (info.names_graphs, info.sets_dataset) == (names_graphs, sets_dataset)


def test_long_queries_are_refused_before_anything_else() -> None:
    with pytest.raises(QueryError) as refused:
        inspect_query("SELECT * {}" + " " * 100, max_chars=100)
    assert (refused.value.status, refused.value.code) == (413, "query_too_long")


def test_codepoint_escapes_are_decoded() -> None:
    assert unescape_codepoints(r"SERVIC\u0045 \U0001F600") == "SERVICE \U0001f600"


text_without_quotes = st.text(
    st.characters(exclude_characters="'\"\\\n\r", exclude_categories=("Cs",))
)


@settings(max_examples=200, deadline=None)
@given(text_without_quotes)
def test_text_inside_a_string_never_gets_a_query_refused(text: str) -> None:
    query = f'SELECT * WHERE {{ ?s ?p "{text}" }}'
    assert inspect_query(query).form == "SELECT"


@settings(max_examples=200, deadline=None)
@given(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.sampled_from(["SERVICE", "service", "Service"]),
)
def test_a_service_clause_after_any_comment_or_string_is_refused(noise: str, keyword: str) -> None:
    """Whatever precedes it, a real SERVICE clause never gets through."""
    clean = noise.replace("\n", " ").replace("\r", " ")
    query = f"SELECT * WHERE {{ ?s ?p ?o # {clean}\n {keyword} <{TARGET}> {{ ?a ?b ?c }} }}"
    with pytest.raises(QueryError):
        inspect_query(query)
