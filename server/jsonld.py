"""Write a description as compact JSON-LD framed around its resource.

The output is what a portal can use as it comes: one node object for the
resource, the things it links to nested inside it with their names and types,
the resources linking to it under ``@reverse``, schema.org terms as plain keys
(``headline``, ``mentions``), dates and coordinates as plain strings, and our
IRIs as ``@id``. Every key and value is written so that a standard JSON-LD
processor expands it to exactly the triples of the Turtle representation; the
tests check that with pyld.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from miglod.store import Description, Triple

SCHEMA = "https://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_STRING = XSD + "string"
XSD_INTEGER = XSD + "integer"
XSD_BOOLEAN = XSD + "boolean"

PREFIXES = {
    "schema": SCHEMA,
    "xsd": XSD,
    "prov": "http://www.w3.org/ns/prov#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "sh": "http://www.w3.org/ns/shacl#",
}
_LINKS = "@id"
# (term, compact IRI, type coercion or None, always a list)
_SCHEMA_TERMS = [
    *((t, f"schema:{t}", _LINKS, True) for t in ("about", "mentions")),
    *(
        (t, f"schema:{t}", _LINKS, False)
        for t in (
            "publisher",
            "url",
            "locationCreated",
            "location",
            "organizer",
            "containedInPlace",
            "affiliation",
            "parentOrganization",
            "areaServed",
            "subjectOf",
            "eventAttendanceMode",
            "sameAs",
            "isPartOf",
            "hasPart",
            "license",
            "mainEntityOfPage",
            "memberOf",
            "author",
        )
    ),
    *((t, f"schema:{t}", "xsd:date", False) for t in ("datePublished", "startDate", "endDate")),
    *((t, f"schema:{t}", "xsd:double", False) for t in ("latitude", "longitude")),
]
_OTHER_TERMS = [
    ("theme", "mig:theme", _LINKS, True),
    ("framework", "mig:framework", _LINKS, True),
    ("describesEvent", "mig:describesEvent", _LINKS, False),
    ("eventCategory", "mig:eventCategory", None, False),
    ("participantCount", "mig:participantCount", None, False),
    ("sourceLine", "mig:sourceLine", None, False),
    ("sourcePosition", "mig:sourcePosition", None, False),
    ("converterVersion", "mig:converterVersion", None, False),
    ("wasDerivedFrom", "prov:wasDerivedFrom", _LINKS, False),
    ("generatedAtTime", "prov:generatedAtTime", "xsd:dateTime", False),
    ("owl:sameAs", "owl:sameAs", _LINKS, True),
    *(
        (f"skos:{t}", f"skos:{t}", _LINKS, False)
        for t in (
            "inScheme",
            "topConceptOf",
            "hasTopConcept",
            "broader",
            "narrower",
            "related",
            "exactMatch",
            "closeMatch",
            "broadMatch",
            "narrowMatch",
            "relatedMatch",
        )
    ),
    *(
        (f"rdfs:{t}", f"rdfs:{t}", _LINKS, False)
        for t in ("domain", "range", "subClassOf", "subPropertyOf", "seeAlso", "isDefinedBy")
    ),
]
#: Keys written first, in this order; the others follow alphabetically.
_KEY_ORDER = [
    "@id",
    "@type",
    "identifier",
    "headline",
    "name",
    "skos:prefLabel",
    "rdfs:label",
    "alternateName",
    "datePublished",
    "dateline",
    "inLanguage",
    "abstract",
    "articleBody",
    "about",
    "mentions",
    "theme",
    "framework",
    "describesEvent",
    "publisher",
]
_RANK = {key: rank for rank, key in enumerate(_KEY_ORDER)}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


class JsonLdWriter:
    """Frame descriptions as JSON-LD under one base IRI."""

    def __init__(self, base: str) -> None:
        self.prefixes = {**PREFIXES, "mig": base + "def/mig/"}
        self.context_url = base + "context.jsonld"
        self._terms: dict[str, tuple[str, str | None, bool]] = {}
        self._by_iri: dict[str, str] = {}
        for term, curie, coercion, as_list in [*_SCHEMA_TERMS, *_OTHER_TERMS]:
            iri = self._expand(curie)
            self._terms[term] = (iri, None if coercion is None else self._expand(coercion), as_list)
            self._by_iri[iri] = term
        self.context: dict[str, Any] = {"@context": self._context_body()}

    def _expand(self, curie: str) -> str:
        if curie == _LINKS:
            return curie
        prefix, _, local = curie.partition(":")
        return self.prefixes[prefix] + local

    def _context_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"@vocab": SCHEMA, **self.prefixes}
        for term, curie, coercion, as_list in [*_SCHEMA_TERMS, *_OTHER_TERMS]:
            definition: dict[str, str] = {"@id": curie}
            if coercion is not None:
                definition["@type"] = coercion
            if as_list:
                definition["@container"] = "@set"
            body[term] = definition
        return body

    def compact_iri(self, iri: str) -> str:
        """Return the shortest form of a property or class IRI that expands back to it."""
        term = self._by_iri.get(iri)
        if term is not None:
            return term
        if iri.startswith(SCHEMA):
            local = iri[len(SCHEMA) :]
            if _NAME.match(local) and local not in self._terms and local not in self.prefixes:
                return local
        for prefix, namespace in self.prefixes.items():
            if prefix != "schema" and iri.startswith(namespace):
                local = iri[len(namespace) :]
                curie = f"{prefix}:{local}"
                if _NAME.match(local) and curie not in self._terms:
                    return curie
        return iri

    def document(self, description: Description, *, inline_context: bool = False) -> dict[str, Any]:
        """Return the framed JSON-LD document of a description."""
        frame = _Frame(self, description.triples)
        root = URIRef(description.iri)
        body: dict[str, Any] = frame.node(root, (root,))
        reverse = frame.reverse(root)
        if reverse:
            body["@reverse"] = reverse
        included = frame.leftovers(root)
        if included:
            body["@included"] = included
        context: Any = self.inline_context(body) if inline_context else self.context_url
        return {"@context": context, **body}

    def inline_context(self, body: Any) -> dict[str, Any]:
        """Return the part of the context a document uses, to embed it in the document."""
        used: set[str] = set()
        _collect_keys(body, used)
        full = self.context["@context"]
        kept = {"@vocab": full["@vocab"], **self.prefixes}
        kept.update((key, full[key]) for key in sorted(used) if key in self._terms)
        return kept

    def term(self, predicate: str) -> tuple[str, str | None, bool]:
        """Return the key, type coercion and list flag used for a predicate IRI."""
        key = self.compact_iri(predicate)
        found = self._terms.get(key)
        if found is not None and found[0] == predicate:
            return key, found[1], found[2]
        return key, None, False


class _Frame:
    """Render the triples of one description, remembering which have been written."""

    def __init__(self, writer: JsonLdWriter, triples: Iterable[Triple]) -> None:
        self.writer = writer
        self.out: dict[Node, dict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
        for s, p, o in triples:
            self.out[s][p].append(o)
        self.done: set[Triple] = set()

    def node(
        self, subject: Node, path: tuple[Node, ...], skip: Node | None = None
    ) -> dict[str, Any]:
        result: dict[str, Any] = {"@id": _node_id(subject)}
        for predicate, objects in self.out.get(subject, {}).items():
            if predicate == RDF_TYPE:
                types = sorted(self.writer.compact_iri(str(o)) for o in objects)
                self.done.update((subject, predicate, o) for o in objects)
                result["@type"] = types[0] if len(types) == 1 else types
                continue
            key, coercion, as_list = self.writer.term(str(predicate))
            values = []
            for obj in objects:
                if obj == skip:
                    continue
                self.done.add((subject, predicate, obj))
                values.append(self.value(obj, coercion, path))
            if values:
                values.sort(key=_sort_key)
                result[key] = values if as_list or len(values) > 1 else values[0]
        return dict(sorted(result.items(), key=lambda kv: (_RANK.get(kv[0], len(_RANK)), kv[0])))

    def value(self, obj: Node, coercion: str | None, path: tuple[Node, ...]) -> Any:
        if isinstance(obj, URIRef | BNode):
            if obj in self.out and obj not in path:
                return self.node(obj, (*path, obj))
            if coercion == _LINKS and isinstance(obj, URIRef):
                return str(obj)
            return {"@id": _node_id(obj)}
        if not isinstance(obj, Literal):
            raise TypeError(f"cannot write {obj!r} as JSON-LD")
        return _literal(obj, coercion, self.writer)

    def reverse(self, root: Node) -> dict[str, Any]:
        """Return the ``@reverse`` block: resources linking to ``root``, by property."""
        block: dict[str, list[Any]] = defaultdict(list)
        for subject, predicates in self.out.items():
            for predicate, objects in predicates.items():
                if root in objects and (subject, predicate, root) not in self.done:
                    self.done.add((subject, predicate, root))
                    key, _, _ = self.writer.term(str(predicate))
                    block[key].append(self.node(subject, (root, subject), skip=root))
        return {key: sorted(values, key=_sort_key) for key, values in sorted(block.items())}

    def leftovers(self, root: Node) -> list[dict[str, Any]]:
        """Return nodes for triples neither the frame nor ``@reverse`` has written."""
        subjects = {
            s
            for s, predicates in self.out.items()
            for p, objects in predicates.items()
            for o in objects
            if (s, p, o) not in self.done
        }
        return [self.node(s, (root, s)) for s in sorted(subjects, key=_node_id)]


def _collect_keys(value: Any, keys: set[str]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            keys.add(key)
            _collect_keys(inner, keys)
    elif isinstance(value, list):
        for inner in value:
            _collect_keys(inner, keys)


def _node_id(node: Node) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def _literal(obj: Literal, coercion: str | None, writer: JsonLdWriter) -> Any:
    lexical = str(obj)
    if obj.language:
        return {"@value": lexical, "@language": obj.language}
    datatype = str(obj.datatype) if obj.datatype is not None else XSD_STRING
    if datatype == XSD_STRING:
        return lexical if coercion is None else {"@value": lexical}
    if datatype == coercion:
        return lexical
    if (
        coercion is None
        and datatype == XSD_INTEGER
        and re.fullmatch(r"0|-?[1-9][0-9]{0,14}", lexical)
    ):
        return int(lexical)
    if coercion is None and datatype == XSD_BOOLEAN and lexical in ("true", "false"):
        return lexical == "true"
    return {"@value": lexical, "@type": writer.compact_iri(datatype)}


def _sort_key(value: Any) -> tuple[str, str]:
    if isinstance(value, dict):
        return (str(value.get("@id", value.get("@value", ""))), str(value.get("@language", "")))
    return (str(value), "")
