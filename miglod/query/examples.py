"""The researchers' example queries: shown on the query page, measured by the benchmark.

Each is written for the shape in docs/MODEL.md and for speed over the union of
the graphs (no ``GRAPH`` clause, so the in-memory copy answers it).
"""

from __future__ import annotations

from dataclasses import dataclass

PROLOGUE = """PREFIX schema: <https://schema.org/>
PREFIX mig: <{base}def/mig/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@dataclass(frozen=True, slots=True)
class Example:
    """One example: a short name, a title, what it answers and how, and the query."""

    name: str
    title: str
    explanation: str
    query: str


def examples(base: str, item: str | None = None) -> list[Example]:
    """Return the example queries for a dataset under ``base``.

    ``item`` is the IRI of a news item to describe in full (the example is left
    out without one).
    """
    prologue = PROLOGUE.format(base=base)
    found = [
        Example(
            "items-per-country-year",
            "News items per country and year",
            "Counts the news items about each country (schema:about, the item's main countries) "
            "in each year of publication, with the country's English name. Change the GROUP BY "
            "to count by month or by language.",
            prologue
            + """SELECT ?country ?name ?year ?items WHERE {
  {
    SELECT ?country ?year (COUNT(?item) AS ?items) WHERE {
      ?item a schema:NewsArticle ;
            schema:about ?country ;
            schema:datePublished ?date .
      BIND(YEAR(?date) AS ?year)
    }
    GROUP BY ?country ?year
  }
  OPTIONAL { ?country schema:name ?name FILTER(LANG(?name) = "en") }
}
ORDER BY ?name ?year""",
        ),
        Example(
            "theme-in-date-range",
            "Items about a theme in a date range",
            "Lists the news items tagged with the theme labour migration (mig:theme) published "
            "in 2021, newest first. Change the theme's IRI (see /def/theme) or the dates.",
            prologue
            + f"""SELECT ?item ?date ?headline WHERE {{
  ?item mig:theme <{base}def/theme/labour-migration> ;
        schema:datePublished ?date ;
        schema:headline ?headline .
  FILTER(?date >= "2021-01-01"^^xsd:date && ?date <= "2021-12-31"^^xsd:date)
}}
ORDER BY DESC(?date) ?item
LIMIT 100""",
        ),
        Example(
            "co-mentioned-with-iom",
            "Organisations mentioned together with IOM",
            "For every organisation named in the same news items as IOM (schema:mentions), "
            "counts those items, most frequent first: who IOM works with, as the news tells it. "
            "The items are counted first and the names looked up once per organisation.",
            prologue
            + f"""SELECT ?organization (SAMPLE(?label) AS ?name) ?items WHERE {{
  {{
    SELECT ?organization (COUNT(?item) AS ?items) WHERE {{
      ?item schema:mentions <{base}id/organization/iom>, ?organization .
      FILTER(?organization != <{base}id/organization/iom>)
    }}
    GROUP BY ?organization
  }}
  ?organization a schema:Organization .
  OPTIONAL {{ ?organization schema:name ?label FILTER(LANG(?label) = "en") }}
}}
GROUP BY ?organization ?items
ORDER BY DESC(?items) ?organization""",
        ),
        Example(
            "headline-search",
            "Headlines that contain a word",
            "Finds the news items whose headline contains 'labour' (case-insensitive), newest "
            "first. CONTAINS on LCASE is a plain substring search; use REGEX for patterns.",
            prologue
            + """SELECT ?item ?date ?headline WHERE {
  ?item schema:headline ?headline ;
        schema:datePublished ?date .
  FILTER(CONTAINS(LCASE(STR(?headline)), "labour"))
}
ORDER BY DESC(?date) ?item
LIMIT 100""",
        ),
    ]
    if item is not None:
        found.insert(
            3,
            Example(
                "describe-item",
                "Everything about one news item",
                "Returns the item's own statements, the labels of everything it links to, and "
                "the statements of its source record and the event it describes, as an RDF graph "
                "(ask for Turtle, JSON-LD, N-Triples or RDF/XML).",
                prologue
                + f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
CONSTRUCT {{ ?item ?p ?o . ?o rdfs:label ?label . ?part ?q ?v }}
WHERE {{
  VALUES ?item {{ <{item}> }}
  {{ ?item ?p ?o OPTIONAL {{ ?o rdfs:label ?label }} }}
  UNION
  {{ ?item prov:wasDerivedFrom|mig:describesEvent ?part . ?part ?q ?v }}
}}""",
            ),
        )
    return found


def example_item_query(base: str) -> str:
    """Return a query for the newest news item, the one the description example shows."""
    return PROLOGUE.format(base=base) + (
        "SELECT ?item WHERE { ?item a schema:NewsArticle ; schema:datePublished ?date } "
        "ORDER BY DESC(?date) ?item LIMIT 1"
    )
