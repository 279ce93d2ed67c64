"""Words of the query page in English and Spanish, its examples' titles and explanations included.

A text may hold markup of its own (links, code); the values put into it are
escaped (:func:`word` formats with :class:`markupsafe.Markup`), so the page
never carries unescaped data. The example queries themselves are the same in
both languages; only what the page says about them is translated.
"""

from __future__ import annotations

from markupsafe import Markup

from miglod.query.examples import Example

#: The query page's texts, by key, in each language of :data:`server.negotiation.LANGUAGES`.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Query the data",
        "lead": (
            "Ask any question of the news, countries, organisations, places, events and themes with "
            '<a href="https://www.w3.org/TR/sparql11-query/">SPARQL</a>. The default graph is the '
            "union of every published graph. Queries stop after {timeout} seconds and results are "
            "cut after {limit} rows; updates and <code>SERVICE</code> are refused."
        ),
        "yasgui_open": "Open this query in YASGUI",
        "yasgui_hint": (
            "The YASGUI editor (syntax highlighting, completion, charts) is fetched from jsDelivr, "
            "pinned to version {version} and checked against its hash; this plain form keeps "
            "working without it."
        ),
        "yasgui_failed": (
            "YASGUI could not be loaded (are you offline?). The form below answers the same queries."
        ),
        "query": "Query",
        "run": "Run query",
        "results_as": "Results as",
        "as_table": "a table on this page",
        "shortcut": "Ctrl+Enter runs the query.",
        "not_answered": "The query was not answered.",
        "results": "Results",
        "yes": "Yes (true)",
        "no": "No (false)",
        "rows_one": "{count} row",
        "rows": "{count} rows",
        "ahead": "(computed ahead for the current data)",
        "took": "in {ms} ms",
        "under": "under 0.1",
        "truncated": "Only the first {count} are shown here; the downloads hold up to {limit}.",
        "download": "Download:",
        "examples": "Example queries",
        "show_query": "Show the query",
        "program": "From a program",
        "program_text": (
            'This endpoint follows the <a href="https://www.w3.org/TR/sparql11-protocol/">SPARQL '
            "1.1 Protocol</a>: send <code>GET /sparql?query=…</code>, a form <code>POST</code>, or "
            "a <code>POST</code> of <code>application/sparql-query</code>, and choose the format "
            "with <code>Accept</code> (or <code>format=json|xml|csv|tsv|turtle|jsonld|nt|rdfxml"
            '</code>). Without a query, programs get the <a href="{description}">service '
            "description</a>. A cut result carries <code>X-Result-Truncated: true</code>; page "
            "with <code>LIMIT</code> and <code>OFFSET</code>."
        ),
    },
    "es": {
        "title": "Consultar los datos",
        "lead": (
            "Haga cualquier pregunta sobre las noticias, los países, las organizaciones, los "
            'lugares, los eventos y los temas con <a href="https://www.w3.org/TR/sparql11-query/">'
            "SPARQL</a>. El grafo por defecto es la unión de todos los grafos publicados. Las "
            "consultas se detienen a los {timeout} segundos y los resultados se cortan en {limit} "
            "filas; se rechazan las actualizaciones y <code>SERVICE</code>."
        ),
        "yasgui_open": "Abrir esta consulta en YASGUI",
        "yasgui_hint": (
            "El editor YASGUI (resaltado de sintaxis, autocompletado, gráficos) se descarga de "
            "jsDelivr, fijado en la versión {version} y comprobado con su hash; este formulario "
            "sencillo funciona también sin él."
        ),
        "yasgui_failed": (
            "No se pudo cargar YASGUI (¿está sin conexión?). El formulario de abajo responde a las "
            "mismas consultas."
        ),
        "query": "Consulta",
        "run": "Ejecutar la consulta",
        "results_as": "Resultados como",
        "as_table": "una tabla en esta página",
        "shortcut": "Ctrl+Intro ejecuta la consulta.",
        "not_answered": "La consulta no se respondió.",
        "results": "Resultados",
        "yes": "Sí (true)",
        "no": "No (false)",
        "rows_one": "{count} fila",
        "rows": "{count} filas",
        "ahead": "(calculadas de antemano para los datos actuales)",
        "took": "en {ms} ms",
        "under": "menos de 0.1",
        "truncated": (
            "Aquí solo se muestran las {count} primeras; las descargas contienen hasta {limit}."
        ),
        "download": "Descargar:",
        "examples": "Consultas de ejemplo",
        "show_query": "Ver la consulta",
        "program": "Desde un programa",
        "program_text": (
            'Este punto de acceso sigue el <a href="https://www.w3.org/TR/sparql11-protocol/">'
            "protocolo SPARQL 1.1</a>: envíe <code>GET /sparql?query=…</code>, un <code>POST</code> "
            "de formulario o un <code>POST</code> de <code>application/sparql-query</code>, y elija "
            "el formato con <code>Accept</code> (o <code>format=json|xml|csv|tsv|turtle|jsonld|nt|"
            'rdfxml</code>). Sin consulta, los programas reciben la <a href="{description}">'
            "descripción del servicio</a>. Un resultado cortado lleva <code>X-Result-Truncated: "
            "true</code>; pagine con <code>LIMIT</code> y <code>OFFSET</code>."
        ),
    },
}

#: What the page says about each example query in Spanish: (title, explanation), by name.
EXAMPLES_ES: dict[str, tuple[str, str]] = {
    "items-per-country-year": (
        "Noticias por país y año",
        "Cuenta las noticias sobre cada país (schema:about, los países principales de la "
        "noticia) en cada año de publicación, con el nombre del país en inglés. Cambie el "
        "GROUP BY para contar por mes o por idioma.",
    ),
    "theme-in-date-range": (
        "Noticias sobre un tema en un periodo",
        "Lista las noticias con el tema migración laboral (mig:theme) publicadas en 2021, de la "
        "más reciente a la más antigua. Cambie el IRI del tema (vea /def/theme) o las fechas.",
    ),
    "co-mentioned-with-iom": (
        "Organizaciones mencionadas junto a la OIM",
        "Para cada organización nombrada en las mismas noticias que la OIM (schema:mentions), "
        "cuenta esas noticias, de la más frecuente a la menos: con quién trabaja la OIM, según "
        "las noticias. Primero se cuentan las noticias y después se busca una sola vez el nombre "
        "de cada organización.",
    ),
    "describe-item": (
        "Todo sobre una noticia",
        "Devuelve las afirmaciones de la propia noticia, las etiquetas de todo lo que enlaza y "
        "las afirmaciones de su registro de origen y del evento que describe, como un grafo RDF "
        "(pida Turtle, JSON-LD, N-Triples o RDF/XML).",
    ),
    "headline-search": (
        "Titulares que contienen una palabra",
        "Encuentra las noticias cuyo titular contiene 'labour' (sin distinguir mayúsculas), de "
        "la más reciente a la más antigua. CONTAINS sobre LCASE busca la subcadena tal cual; use "
        "REGEX para patrones.",
    ),
}


def word(language: str, key: str, **values: object) -> Markup:
    """Return a text of the query page in ``language`` (English when it has none), values escaped."""
    text = WORDS.get(language, WORDS["en"]).get(key) or WORDS["en"][key]
    return Markup(text).format(**values) if values else Markup(text)


def example_words(example: Example, language: str) -> tuple[str, str]:
    """Return the title and explanation of ``example`` in ``language`` (English when untranslated)."""
    if language == "es" and example.name in EXAMPLES_ES:
        return EXAMPLES_ES[example.name]
    return example.title, example.explanation
