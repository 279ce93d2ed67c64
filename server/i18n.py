"""Words of the HTML pages in English and Spanish, and names for properties and types."""

from __future__ import annotations

import datetime as dt
import re

_WORDS = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|[_-]")

SCHEMA = "https://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
PROV = "http://www.w3.org/ns/prov#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"

#: Interface words, by key, in each language of :data:`server.negotiation.LANGUAGES`.
MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "site": "Migration governance news",
        "tagline": "Linked open data about migration-governance news",
        "home": "Home",
        "news": "News",
        "dataset": "Dataset",
        "sparql": "SPARQL",
        "dumps": "Downloads",
        "formats": "This page as data",
        "identifier": "Identifier",
        "published": "Published",
        "dateline": "Dateline",
        "language": "Language",
        "source": "Source",
        "original": "Original article",
        "data": "All data",
        "linked_from": "Linked from",
        "news_about": "News",
        "more": "See all {count}",
        "latest_n": "The latest {count}",
        "main": "main",
        "not_found": "Not found",
        "error": "Something went wrong",
        "back_home": "Back to the home page",
        "intro": (
            "This site publishes news items about migration governance as linked open data. "
            "Every news item, country, organisation, place, event and theme has its own "
            "permanent address, readable here as a web page and by programs as Turtle, "
            "JSON-LD, N-Triples or RDF/XML."
        ),
        "how": "How to use the data",
        "how_links": (
            "Follow the links on any page, or ask for another format with the links at the bottom."
        ),
        "how_sparql": "Query everything with SPARQL at",
        "how_dumps": "Download the whole dataset from",
        "how_dataset": "The dataset's description (DCAT, VoID) is at",
        "examples": "Latest news",
        "themes": "Themes",
        "count_items": "{count} news items",
        "generated": "Converted",
        "converter": "Converter version",
        "line": "line",
        "licence": "Data published as linked open data.",
        "all_news": "All news",
        "page_of": "page {page} of {last}",
        "pages": "Pages",
        "newer": "Newer",
        "older": "Older",
    },
    "es": {
        "site": "Noticias de gobernanza de la migración",
        "tagline": "Datos abiertos enlazados sobre noticias de gobernanza de la migración",
        "home": "Inicio",
        "news": "Noticias",
        "dataset": "Conjunto de datos",
        "sparql": "SPARQL",
        "dumps": "Descargas",
        "formats": "Esta página como datos",
        "identifier": "Identificador",
        "published": "Publicado",
        "dateline": "Lugar y fecha",
        "language": "Idioma",
        "source": "Fuente",
        "original": "Artículo original",
        "data": "Todos los datos",
        "linked_from": "Enlazado desde",
        "news_about": "Noticias",
        "more": "Ver las {count}",
        "latest_n": "Las {count} más recientes",
        "main": "principal",
        "not_found": "No encontrado",
        "error": "Algo salió mal",
        "back_home": "Volver a la página de inicio",
        "intro": (
            "Este sitio publica noticias sobre gobernanza de la migración como datos abiertos "
            "enlazados. Cada noticia, país, organización, lugar, evento y tema tiene su propia "
            "dirección permanente, legible aquí como página web y por programas como Turtle, "
            "JSON-LD, N-Triples o RDF/XML."
        ),
        "how": "Cómo usar los datos",
        "how_links": (
            "Siga los enlaces de cualquier página o pida otro formato con los enlaces al pie."
        ),
        "how_sparql": "Consulte todo con SPARQL en",
        "how_dumps": "Descargue el conjunto completo en",
        "how_dataset": "La descripción del conjunto de datos (DCAT, VoID) está en",
        "examples": "Últimas noticias",
        "themes": "Temas",
        "count_items": "{count} noticias",
        "generated": "Convertido",
        "converter": "Versión del conversor",
        "line": "línea",
        "licence": "Datos publicados como datos abiertos enlazados.",
        "all_news": "Todas las noticias",
        "page_of": "página {page} de {last}",
        "pages": "Páginas",
        "newer": "Más recientes",
        "older": "Anteriores",
    },
}

#: Names of properties, by IRI: (English, Spanish).
PROPERTIES: dict[str, tuple[str, str]] = {
    SCHEMA + "about": ("Main countries", "Países principales"),
    SCHEMA + "mentions": ("Mentions", "Menciona"),
    SCHEMA + "publisher": ("Publisher", "Editor"),
    SCHEMA + "headline": ("Headline", "Titular"),
    SCHEMA + "abstract": ("Summary", "Resumen"),
    SCHEMA + "articleBody": ("Text", "Texto"),
    SCHEMA + "datePublished": ("Published", "Publicado"),
    SCHEMA + "inLanguage": ("Language", "Idioma"),
    SCHEMA + "dateline": ("Dateline", "Lugar y fecha"),
    SCHEMA + "locationCreated": ("Written in", "Escrito en"),
    SCHEMA + "identifier": ("Identifier", "Identificador"),
    SCHEMA + "name": ("Name", "Nombre"),
    SCHEMA + "alternateName": ("Also known as", "También conocido como"),
    SCHEMA + "url": ("Web address", "Dirección web"),
    SCHEMA + "parentOrganization": ("Part of", "Parte de"),
    SCHEMA + "areaServed": ("Serves", "Ámbito"),
    SCHEMA + "containedInPlace": ("In", "En"),
    SCHEMA + "latitude": ("Latitude", "Latitud"),
    SCHEMA + "longitude": ("Longitude", "Longitud"),
    SCHEMA + "jobTitle": ("Position", "Cargo"),
    SCHEMA + "honorificPrefix": ("Title", "Tratamiento"),
    SCHEMA + "affiliation": ("Affiliation", "Afiliación"),
    SCHEMA + "startDate": ("Starts", "Comienza"),
    SCHEMA + "endDate": ("Ends", "Termina"),
    SCHEMA + "location": ("Location", "Lugar"),
    SCHEMA + "organizer": ("Organiser", "Organizador"),
    SCHEMA + "eventAttendanceMode": ("Attendance", "Modalidad"),
    SCHEMA + "subjectOf": ("Reported in", "Reportado en"),
    SKOS + "prefLabel": ("Name", "Nombre"),
    SKOS + "notation": ("Code", "Código"),
    SKOS + "inScheme": ("In scheme", "En el esquema"),
    SKOS + "topConceptOf": ("Top concept of", "Concepto principal de"),
    SKOS + "related": ("Related", "Relacionado"),
    SKOS + "closeMatch": ("Close match", "Equivalente cercano"),
    SKOS + "exactMatch": ("Same as", "Equivale a"),
    SKOS + "broader": ("Broader", "Más amplio"),
    SKOS + "narrower": ("Narrower", "Más específico"),
    RDFS + "label": ("Label", "Etiqueta"),
    RDFS + "comment": ("Description", "Descripción"),
    RDFS + "domain": ("Used on", "Se usa en"),
    RDFS + "range": ("Values", "Valores"),
    OWL + "sameAs": ("Same as", "Igual a"),
    PROV + "wasDerivedFrom": ("Derived from", "Derivado de"),
    PROV + "generatedAtTime": ("Converted", "Convertido"),
    VOID + "sparqlEndpoint": ("SPARQL endpoint", "Punto de acceso SPARQL"),
    VOID + "uriSpace": ("IRI space", "Espacio de IRI"),
    VOID + "triples": ("Triples", "Tripletas"),
    VOID + "entities": ("Entities", "Entidades"),
    VOID + "distinctSubjects": ("Distinct subjects", "Sujetos distintos"),
    VOID + "classPartition": ("Classes", "Clases"),
    VOID + "class": ("Class", "Clase"),
    VOID + "exampleResource": ("Examples", "Ejemplos"),
    VOID + "vocabulary": ("Vocabularies", "Vocabularios"),
    VOID + "dataDump": ("Dumps", "Volcados"),
    DCAT + "distribution": ("Distributions", "Distribuciones"),
    DCAT + "downloadURL": ("Download", "Descarga"),
    DCAT + "mediaType": ("Media type", "Tipo de medio"),
    DCAT + "byteSize": ("Bytes", "Bytes"),
    DCAT + "compressFormat": ("Compression", "Compresión"),
    DCAT + "accessService": ("Service", "Servicio"),
    DCTERMS + "title": ("Title", "Título"),
    DCTERMS + "description": ("Description", "Descripción"),
    DCTERMS + "license": ("Licence", "Licencia"),
    DCTERMS + "publisher": ("Publisher", "Editor"),
    DCTERMS + "modified": ("Last changed", "Última modificación"),
    "http://spdx.org/rdf/terms#checksum": ("Checksum", "Suma de verificación"),
    "http://xmlns.com/foaf/0.1/homepage": ("Home page", "Página principal"),
}

#: Names of the groups a news page lists: (English, Spanish).
GROUPS: dict[str, tuple[str, str]] = {
    "country": ("Countries", "Países"),
    "organization": ("Organisations", "Organizaciones"),
    "place": ("Places", "Lugares"),
    "person": ("People", "Personas"),
    "event": ("Events", "Eventos"),
    "theme": ("Themes", "Temas"),
    "framework": ("Frameworks", "Marcos"),
    "news": ("News", "Noticias"),
    "other": ("Other", "Otros"),
}

_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "es": (
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
    ),
}


def message(language: str, key: str, **values: object) -> str:
    """Return an interface text in ``language`` (English when it has none)."""
    text = MESSAGES.get(language, MESSAGES["en"]).get(key) or MESSAGES["en"][key]
    return text.format(**values) if values else text


def property_name(iri: str, language: str) -> str:
    """Return a readable name for a property IRI."""
    names = PROPERTIES.get(iri)
    if names:
        return names[1] if language == "es" else names[0]
    local = iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    words = [w if w.isupper() else w.lower() for w in _WORDS.split(local) if w]
    spaced = " ".join(words)
    return spaced[:1].upper() + spaced[1:]


def group_name(group: str, language: str) -> str:
    """Return the heading of a group of linked resources."""
    names = GROUPS.get(group, GROUPS["other"])
    return names[1] if language == "es" else names[0]


def format_date(text: str, language: str) -> str:
    """Return an ``xsd:date`` (or the date part of a date-time) written for people."""
    try:
        day = dt.date.fromisoformat(text[:10])
    except ValueError:
        return text
    month = _MONTHS.get(language, _MONTHS["en"]).split()[day.month - 1]
    if language == "es":
        return f"{day.day} de {month} de {day.year}"
    return f"{day.day} {month} {day.year}"


#: Names of classes, by local name: (English, Spanish).
TYPES: dict[str, tuple[str, str]] = {
    "NewsArticle": ("News item", "Noticia"),
    "Country": ("Country", "País"),
    "Organization": ("Organisation", "Organización"),
    "GovernmentOrganization": ("Government body", "Organismo público"),
    "NGO": ("Non-governmental organisation", "Organización no gubernamental"),
    "Place": ("Place", "Lugar"),
    "Person": ("Person", "Persona"),
    "Event": ("Event", "Evento"),
    "EducationEvent": ("Course or training", "Curso o formación"),
    "BusinessEvent": ("Meeting", "Reunión"),
    "Concept": ("Concept", "Concepto"),
    "ConceptScheme": ("Concept scheme", "Esquema de conceptos"),
    "ObjectProperty": ("Property", "Propiedad"),
    "DatatypeProperty": ("Property", "Propiedad"),
    "Class": ("Class", "Clase"),
    "NodeShape": ("Shape", "Forma"),
    "Entity": ("Source", "Fuente"),
}


def type_name(iri: str, language: str) -> str:
    """Return a readable name for a class IRI."""
    local = iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    names = TYPES.get(local)
    if names:
        return names[1] if language == "es" else names[0]
    return local
