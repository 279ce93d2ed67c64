"""The ``miglod`` command: a thin shell over the library.

Exit codes: 0 ok, 1 does not conform or the query failed, 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from converter.errors import ConverterError
from converter.readers import INPUT_FORMATS
from miglod import __version__
from miglod.conversion import convert_files, environ, generation_time, output_format
from miglod.query.formats import COMMAND_FORMATS
from miglod.settings import SETTINGS_BY_NAME, SettingsError, resolve

if TYPE_CHECKING:
    from miglod.remote_publish import Outcome

# Each command imports what only it needs when it runs: ``miglod convert`` then starts
# without the validator, the store, the web app and their libraries.

SERVE_SETTINGS = (
    "store",
    "dumps",
    "host",
    "port",
    "workers",
    "write_workers",
    "write_nice",
    "base_iri",
    "query_timeout",
    "result_limit",
    "sparql_query_url",
    "sparql_update_url",
    "gsp_url",
    "store_user",
)
#: Settings naming a remote store (its password is read from the environment only,
#: never from a flag that other users could see in the process list).
REMOTE_SETTINGS = ("sparql_query_url", "sparql_update_url", "gsp_url", "store_user")


class UsageError(Exception):
    """Raise when the command line asks for something impossible."""


def _settings(args: argparse.Namespace, names: tuple[str, ...]) -> dict[str, object]:
    """Resolve every setting, with the flags in ``names`` taking precedence."""
    return resolve({name: getattr(args, name) for name in names}, environ())


def _setting_option(parser: argparse.ArgumentParser, name: str) -> None:
    setting = SETTINGS_BY_NAME[name]
    parser.add_argument(
        setting.flag,
        dest=name,
        default=None,
        help=f"{setting.help} (default {setting.default!r}; env {setting.env})",
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of every sub-command."""
    parser = argparse.ArgumentParser(
        prog="miglod", description="Publish migration-governance news as linked open data."
    )
    parser.add_argument("--version", action="version", version=f"miglod {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    convert = commands.add_parser("convert", help="convert news files to RDF")
    convert.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="news listing, feed or JSON Lines file"
    )
    convert.add_argument("-o", "--output", help="output file (default: standard output)")
    convert.add_argument(
        "--format",
        choices=["turtle", "jsonld", "nt", "nq"],
        help="output format (default: from the output suffix, else turtle)",
    )
    convert.add_argument(
        "--input-format",
        choices=INPUT_FORMATS,
        help="input format (default: detected from content and suffix)",
    )
    convert.add_argument(
        "--generated-at",
        help="generation time, ISO 8601 (default: SOURCE_DATE_EPOCH, else the newest input's modification time)",
    )
    convert.add_argument(
        "--skip-invalid",
        action="store_true",
        help="skip invalid items (each is reported) instead of failing",
    )
    _setting_option(convert, "base_iri")
    _setting_option(convert, "publisher")
    convert.set_defaults(handler=_convert)

    validate = commands.add_parser("validate", help="validate RDF files against the SHACL shapes")
    validate.add_argument(
        "files", nargs="+", metavar="FILE", help="Turtle, N-Triples, JSON-LD or RDF/XML file"
    )
    validate.add_argument("--shapes", help="shapes file or directory (default: the shipped shapes)")
    validate.add_argument(
        "--format", default="text", choices=["text", "json", "turtle", "html"], help="report format"
    )
    validate.add_argument(
        "--data-format", help="RDF syntax of the files (default: from each suffix)"
    )
    _setting_option(validate, "base_iri")
    validate.set_defaults(handler=_validate)

    build = commands.add_parser("build", help="convert, validate and load data/ into the store")
    build.add_argument(
        "data_dir",
        nargs="?",
        default=None,
        metavar="DATA_DIR",
        help="directory of news files (default: the data_dir setting)",
    )
    build.add_argument(
        "--generated-at",
        help="generation time, ISO 8601 (default: SOURCE_DATE_EPOCH, else the newest input's modification time)",
    )
    build.add_argument(
        "--skip-invalid",
        action="store_true",
        help="skip invalid items (each is reported) instead of failing",
    )
    for name in ("store", "dumps", "base_iri", "publisher", *REMOTE_SETTINGS):
        _setting_option(build, name)
    build.set_defaults(handler=_build)

    serve = commands.add_parser("serve", help="serve the store over HTTP with gunicorn")
    for name in SERVE_SETTINGS:
        _setting_option(serve, name)
    serve.set_defaults(handler=_serve)

    load = commands.add_parser("load", help="validate news items and write them to the store")
    load.add_argument("file", metavar="FILE", help="Turtle, N-Triples, JSON-LD or news listing")
    for name in ("store", "base_iri", "publisher"):
        _setting_option(load, name)
    load.set_defaults(handler=_load)

    publish = commands.add_parser("publish", help="send news items to a running server")
    publish.add_argument("file", metavar="FILE", help="Turtle, N-Triples, JSON-LD or news listing")
    publish.add_argument("--to", required=True, metavar="URL", help="address of the server")
    publish.add_argument("--token", help="write token (default: the MIGLOD_TOKEN variable)")
    publish.add_argument(
        "--replace", action="store_true", help="replace items that exist already (PUT)"
    )
    for name in ("base_iri", "publisher"):
        _setting_option(publish, name)
    publish.set_defaults(handler=_publish)

    query = commands.add_parser("query", help="run a read-only SPARQL query on the store")
    query.add_argument("sparql", metavar="SPARQL", help="the query text")
    query.add_argument("--format", choices=COMMAND_FORMATS, default="table", help="output format")
    for name in ("store", "query_timeout", "result_limit", "base_iri"):
        _setting_option(query, name)
    query.set_defaults(handler=_query)
    return parser


def _convert(args: argparse.Namespace) -> int:
    settings = resolve({"base_iri": args.base_iri, "publisher": args.publisher}, environ())
    paths = [Path(p) for p in args.inputs]
    for path in paths:
        if not path.is_file():
            raise ConverterError("no such input file", source=str(path))
    fmt = output_format(args.format, args.output)
    generated_at = generation_time(paths, args.generated_at, environ())

    def skipped(error: ConverterError) -> None:
        print(f"miglod: skipped {error}", file=sys.stderr)

    report = convert_files(
        paths,
        args.output,
        fmt=fmt,
        base=settings["base_iri"],
        publisher=settings["publisher"],
        generated_at=generated_at,
        input_format=args.input_format,
        skip_invalid=args.skip_invalid,
        on_skip=skipped,
        stdout=lambda text: sys.stdout.write(text),
    )
    skipped_count = len(report.skipped or [])
    where = args.output if args.output and args.output != "-" else "standard output"
    print(
        f"miglod: {report.items} items, {report.triples} item triples -> {where}"
        + (f"; {skipped_count} skipped" if skipped_count else ""),
        file=sys.stderr,
    )
    return 0


def _validate(args: argparse.Namespace) -> int:
    from ontology import load_ontology
    from shapes.command import run_validate_command

    settings = resolve({"base_iri": args.base_iri}, environ())
    code, output = run_validate_command(
        args.files,
        args.shapes,
        args.format,
        settings["base_iri"],
        rdf_format=args.data_format,
        extra=load_ontology(settings["base_iri"]),
    )
    stream = sys.stderr if code == 2 else sys.stdout
    if code == 2:
        output = "miglod: " + output
    stream.write(output)
    return code


def _build(args: argparse.Namespace) -> int:
    from miglod.building import NotConformingError, build, find_inputs

    settings = resolve(
        {
            "data_dir": args.data_dir,
            "store": args.store,
            "dumps": args.dumps,
            "base_iri": args.base_iri,
            "publisher": args.publisher,
            **{name: getattr(args, name) for name in REMOTE_SETTINGS},
        },
        environ(),
    )
    data_dir = Path(settings["data_dir"])
    paths = find_inputs(data_dir)
    generated_at = generation_time(paths, args.generated_at, environ())

    def skipped(error: ConverterError) -> None:
        print(f"miglod: skipped {error}", file=sys.stderr)

    try:
        report = build(
            data_dir,
            settings if settings["sparql_query_url"] else Path(settings["store"]),
            Path(settings["dumps"]),
            base=settings["base_iri"],
            publisher=settings["publisher"],
            generated_at=generated_at,
            skip_invalid=args.skip_invalid,
            on_skip=skipped,
        )
    except NotConformingError as exc:
        sys.stdout.write(exc.report.report_text)
        print(f"miglod: error: {exc}", file=sys.stderr)
        return 1
    result = report.validation
    if result is not None and result.warnings:
        sys.stdout.write(report.report_text)
    print(
        f"miglod: built {settings['sparql_query_url'] or settings['store']}: {report.items} items from {len(report.inputs)} "
        f"file(s), {report.triples} item triples, {report.graphs_changed} graph(s) changed, "
        f"{len(result.warnings) if result else 0} warning(s); dumps in {settings['dumps']}",
        file=sys.stderr,
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    from server.serve import serve

    serve(_settings(args, SERVE_SETTINGS))
    return 0


def _query(args: argparse.Namespace) -> int:
    from miglod.query.command import query_command

    names = ("store", "query_timeout", "result_limit", "base_iri")
    settings = resolve({name: getattr(args, name) for name in names}, environ())
    result = query_command(
        settings["store"],
        args.sparql,
        args.format,
        timeout=settings["query_timeout"],
        limit=settings["result_limit"],
        base_iri=settings["base_iri"],
    )
    sys.stdout.write(result.output)
    if result.message:
        print(f"miglod: {result.message}", file=sys.stderr)
    return int(result.exit_code)


def _load(args: argparse.Namespace) -> int:
    from miglod import publishing as pub
    from miglod.store import open_store
    from server.jsonld import JsonLdWriter
    from shapes.loading import load_shapes
    from shapes.report import format_result
    from shapes.validation import Validator

    names = ("store", "base_iri", "publisher")
    settings = resolve({name: getattr(args, name) for name in names}, environ())
    base = settings["base_iri"]
    at = dt.datetime.now(dt.UTC)
    graph = pub.read_file(
        Path(args.file),
        base=base,
        publisher=settings["publisher"],
        context=JsonLdWriter(base).context,
        at=at,
    )
    with open_store(settings["store"]) as store:
        items = pub.items_in(store, graph, base)
        try:
            changes = pub.load(
                store, items, Validator(load_shapes(base), base=base), agent="cli", at=at
            )
        except pub.NotConformingError as exc:
            sys.stdout.write(format_result(exc.result, "text", exc.item.graph, base=base))
            print(f"miglod: error: {exc}; nothing was written", file=sys.stderr)
            return 1
    print(
        f"miglod: loaded {len(items)} item(s) into {settings['store']}, "
        f"{len(changes)} graph(s) changed",
        file=sys.stderr,
    )
    return 0


def _publish(args: argparse.Namespace) -> int:
    from miglod import publishing as pub
    from miglod.remote_publish import publish as publish_items
    from server.jsonld import JsonLdWriter

    settings = resolve({"base_iri": args.base_iri, "publisher": args.publisher}, environ())
    token = args.token or environ().get("MIGLOD_TOKEN")
    if not token:
        raise UsageError("publish needs --token or the MIGLOD_TOKEN variable")
    base = settings["base_iri"]
    graph = pub.read_file(
        Path(args.file),
        base=base,
        publisher=settings["publisher"],
        context=JsonLdWriter(base).context,
        at=dt.datetime.now(dt.UTC),
    )
    items = pub.split_items(graph, base)

    def show(outcome: Outcome) -> None:
        print(f"{outcome.iri} {outcome.status}")
        if outcome.status == 422:
            sys.stdout.write(outcome.detail)
        elif outcome.status >= 400:
            print(f"  {' '.join(outcome.detail.split())[:300]}")

    outcomes = publish_items(items, args.to, token, replace=args.replace, on_outcome=show)
    if any(o.status == 422 for o in outcomes):
        return 1
    return 2 if any(o.status >= 400 for o in outcomes) else 0


def _user_errors() -> tuple[type[Exception], ...]:
    """Return the errors of the store and the write path that are the user's to fix."""
    from miglod.publishing import PublishingError
    from miglod.store import StoreError

    return (StoreError, PublishingError)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except ConverterError as exc:
        print(f"miglod: error: {exc}", file=sys.stderr)
        return 2
    except (SettingsError, UsageError) as exc:
        print(f"miglod: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        if not isinstance(exc, _user_errors()):
            raise
        print(f"miglod: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
