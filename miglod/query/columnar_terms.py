"""How N-Triples terms become the rows of the columnar copy's DuckDB tables.

The copy keeps each term once, in table ``terms``, with what SPARQL compares:
its class (:data:`CLASSES`), lexical form, language, datatype and value. Here
are the tables' schema, the SQL that takes apart and classifies the terms new
to a batch, the same work done in Python for the plain terms of a small delta,
and the splitting of N-Triples lines (and of a run of deltas) into columns of
subjects, predicates and objects.
"""

from __future__ import annotations

import re

from miglod.query.sqlexpr import Unsupported, quote

#: Term classes: ``I`` IRI, ``B`` blank node, ``S`` simple literal (or xsd:string),
#: ``L`` language-tagged string, ``Ni``/``Nd``/``Nf``/``ND`` integer, decimal,
#: float and double, ``Dn``/``Dz`` xsd:date without and with a time zone,
#: ``Tn``/``Tz`` xsd:dateTime likewise, ``O`` a literal of a datatype SPARQL
#: knows nothing of, ``W`` a literal whose comparison is left to pyoxigraph
#: (other XSD or RDF datatypes, ill-typed or out-of-range values, NaN).
CLASSES = ("I", "B", "S", "L", "Ni", "Nd", "Nf", "ND", "Dn", "Dz", "Tn", "Tz", "O", "W")

XSD = "http://www.w3.org/2001/XMLSchema#"
#: Triples as their subjects, predicates and objects, in N-Triples.
Columns = tuple[list[str], list[str], list[str]]
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}

SCHEMA = """
CREATE OR REPLACE TABLE terms(
    id INTEGER, nt VARCHAR, cls VARCHAR, lex VARCHAR, lang VARCHAR, dt VARCHAR,
    num DOUBLE, tv BIGINT, year INTEGER);
CREATE OR REPLACE TABLE triples(s INTEGER, p INTEGER, o INTEGER);
CREATE OR REPLACE TABLE lookup(h UBIGINT, id INTEGER);
"""


def _zone_ok(zone: str) -> str:
    """Return SQL telling whether a time zone suffix (empty, ``Z`` or ``±hh:mm``) is valid."""
    return (
        f"({zone} IN ('', 'Z') OR (CAST({zone}[2:3] AS INTEGER) * 60 + CAST({zone}[5:6] AS INTEGER)"
        f" <= 840 AND CAST({zone}[5:6] AS INTEGER) < 60))"
    )


def _offset_us(zone: str) -> str:
    """Return SQL for a time zone suffix's offset from UTC, in microseconds."""
    return (
        f"(CASE WHEN {zone} IN ('', 'Z') THEN 0 ELSE (CASE WHEN {zone}[1] = '-' THEN -1 ELSE 1 END)"
        f" * (CAST({zone}[2:3] AS BIGINT) * 60 + CAST({zone}[5:6] AS BIGINT)) * 60000000 END)"
    )


# What the lexical forms of the values compared natively look like.
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?$"
_DATETIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})?$"
_DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"
_DOUBLE = r"^-?[0-9]+(\.[0-9]+)?(E-?[0-9]+)?$"

# Add the terms of table ``fresh(nt)`` absent from ``terms``, classified.
ADD_TERMS = f"""
INSERT INTO terms
WITH new AS (
    SELECT nt, row_number() OVER () - 1 + $1 AS id
    FROM fresh f ANTI JOIN known k ON k.nt = f.nt
), split AS (
    SELECT id, nt, left(nt, 1) AS head,
        CASE WHEN left(nt, 1) = '"' THEN length(nt) - strpos(reverse(nt), '"') END AS q
    FROM new
), tail AS (
    SELECT *, CASE WHEN head = '"' THEN substring(nt, q + 2) END AS suffix FROM split
), parts AS (
    SELECT id, nt, head,
        CASE head WHEN '<' THEN nt[2:-2] WHEN '_' THEN nt[3:] ELSE substring(nt, 2, q - 1) END AS lex,
        CASE WHEN head = '"' THEN CASE WHEN left(suffix, 1) = '@' THEN suffix[2:] ELSE '' END END
            AS lang,
        CASE WHEN head = '"' AND left(suffix, 1) <> '@' THEN
            CASE WHEN suffix = '' THEN '{XSD}string' ELSE suffix[4:-2] END
        END AS dt
    FROM tail
), kinds AS (
    SELECT *,
        CASE
            WHEN head = '<' THEN 'I'
            WHEN head = '_' THEN 'B'
            WHEN lang <> '' THEN 'L'
            WHEN dt = '{XSD}string' THEN 'S'
            WHEN dt = '{XSD}integer' THEN
                CASE WHEN regexp_full_match(lex, '-?[0-9]{{1,15}}') THEN 'Ni' ELSE 'W' END
            WHEN dt = '{XSD}decimal' THEN
                CASE WHEN regexp_matches(lex, '{_DECIMAL}')
                    AND length(regexp_replace(lex, '[^0-9]', '', 'g')) <= 15 THEN 'Nd' ELSE 'W' END
            WHEN dt IN ('{XSD}double', '{XSD}float') THEN
                CASE WHEN (regexp_matches(lex, '{_DOUBLE}')
                    AND length(regexp_replace(regexp_replace(lex, 'E.*', ''), '[^0-9]', '', 'g')) <= 15
                    AND TRY_CAST(lex AS DOUBLE) <> 0) OR lex IN ('INF', '-INF') OR lex = '0'
                THEN CASE WHEN dt = '{XSD}double' THEN 'ND' ELSE 'Nf' END ELSE 'W' END
            WHEN dt = '{XSD}date' THEN
                CASE WHEN regexp_matches(lex, '{_DATE}') AND lex[1:4] <> '0000'
                    AND TRY_CAST(lex[1:10] AS DATE) IS NOT NULL AND {_zone_ok("lex[11:]")}
                THEN CASE WHEN length(lex) = 10 THEN 'Dn' ELSE 'Dz' END ELSE 'W' END
            WHEN dt = '{XSD}dateTime' THEN
                CASE WHEN regexp_matches(lex, '{_DATETIME}') AND lex[1:4] <> '0000'
                    AND TRY_CAST(regexp_replace(lex, '(Z|[+-][0-9]{{2}}:[0-9]{{2}})$', '') AS TIMESTAMP)
                        IS NOT NULL
                    AND {_zone_ok("regexp_extract(lex, '(Z|[+-][0-9]{2}:[0-9]{2})$')")}
                THEN CASE WHEN regexp_matches(lex, '(Z|[+-][0-9]{{2}}:[0-9]{{2}})$') THEN 'Tz' ELSE 'Tn'
                    END ELSE 'W' END
            WHEN starts_with(dt, '{XSD}') OR starts_with(dt, 'http://www.w3.org/1999/02/22-rdf-syntax-ns#')
                OR starts_with(dt, 'http://www.opengis.net/') THEN 'W'
            ELSE 'O'
        END AS cls
    FROM parts
)
SELECT id, nt, cls, lex, lang, dt,
    CASE
        WHEN cls IN ('Ni', 'Nd', 'ND') THEN CAST(lex AS DOUBLE)
        WHEN cls = 'Nf' THEN CAST(CAST(lex AS FLOAT) AS DOUBLE)
    END AS num,
    CASE
        WHEN cls IN ('Dn', 'Dz') THEN epoch_us(CAST(lex[1:10] AS DATE)) - {_offset_us("lex[11:]")}
        WHEN cls IN ('Tn', 'Tz') THEN
            epoch_us(CAST(regexp_replace(lex, '(Z|[+-][0-9]{{2}}:[0-9]{{2}})$', '') AS TIMESTAMP))
            - {_offset_us("regexp_extract(lex, '(Z|[+-][0-9]{2}:[0-9]{2})$')")}
    END AS tv,
    CASE WHEN cls IN ('Dn', 'Dz', 'Tn', 'Tz') THEN CAST(lex[1:4] AS INTEGER) END AS year
FROM kinds
"""


def unescape(text: str) -> str:
    """Return the string an N-Triples string body (without its quotes) stands for."""

    def replace(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2)
        return chr(int(code, 16)) if code else _ECHAR.get(match.group(3), match.group(0))

    return _ESCAPE.sub(replace, text)


def plain_term(nt: str) -> tuple[str, str, str | None, str | None] | None:
    """Return the class, lexical form, language and datatype of a term, as :data:`ADD_TERMS` does.

    For an IRI, a blank node, or a plain, language-tagged or ``xsd:string``
    literal; ``None`` for a literal of another datatype, whose value the SQL
    checks and converts.
    """
    if nt.startswith("<"):
        return "I", nt[1:-1], None, None
    if nt.startswith("_:"):
        return "B", nt[2:], None, None
    end = nt.rindex('"')
    lex, suffix = nt[1:end], nt[end + 1 :]
    if "\\" in lex:
        lex = unescape(lex)
    if suffix.startswith("@"):
        return "L", lex, suffix[1:], None
    if suffix in ("", f"^^<{XSD}string>"):
        return "S", lex, "", f"{XSD}string"
    return None


def written_terms(
    first: int, texts: list[str], plain: list[tuple[str, str, str | None, str | None] | None]
) -> tuple[str, str] | None:
    """Return the rows of ``terms`` and of ``lookup`` for plain terms, as SQL constants.

    ``None`` when a term is not plain (:func:`plain_term`) or cannot be written
    as an SQL string (control characters).
    """
    terms, lookup = [], []
    try:
        for n, (text, row) in enumerate(zip(texts, plain, strict=True)):
            if row is None:
                return None
            values = ", ".join("NULL" if v is None else quote(v) for v in row)
            terms.append(f"({first + n}, {quote(text)}, {values}, NULL, NULL, NULL)")
            lookup.append(f"(hash({quote(text)}), {first + n})")
    except Unsupported:
        return None
    return ", ".join(terms), ", ".join(lookup)


def net_effect(deltas: list[tuple[bytes, bytes]]) -> tuple[Columns, Columns]:
    """Return the triples to remove and to add that have the effect of ``deltas`` in turn.

    Removing R1 and adding A1, then removing R2 and adding A2, leaves what
    removing R1 and R2 and then adding A2 and what of A1 is not in R2 leaves.
    """
    if len(deltas) == 1:
        return split_triples(deltas[0][0]), split_triples(deltas[0][1])
    removed: set[tuple[str, str, str]] = set()
    added: set[tuple[str, str, str]] = set()
    for gone, new in deltas:
        dropped = set(zip(*split_triples(gone), strict=True))
        removed |= dropped
        added = (added - dropped) | set(zip(*split_triples(new), strict=True))
    return columns_of(removed), columns_of(added)


def columns_of(triples: set[tuple[str, str, str]]) -> Columns:
    """Return a set of triples as the columns of their subjects, predicates and objects."""
    return [t[0] for t in triples], [t[1] for t in triples], [t[2] for t in triples]


def split_triples(data: bytes) -> Columns:
    """Split N-Triples as pyoxigraph writes them (one triple a line) into subjects, predicates, objects."""
    subjects: list[str] = []
    predicates: list[str] = []
    objects: list[str] = []
    for line in data.decode().split("\n"):
        if not line or line[0] == "#":
            continue
        s, p, rest = line.split(" ", 2)
        subjects.append(s)
        predicates.append(p)
        objects.append(rest[:-2].rstrip())
    return subjects, predicates, objects
