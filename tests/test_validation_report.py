"""Reports for stewards and programs, and the exit codes of the validate command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import SH, Graph

from shapes import validate
from shapes.command import run_validate_command
from shapes.report import format_result

BASE = "https://w3id.org/miglod/"
VALID = Path(__file__).parent / "shapes" / "valid.ttl"
ITEM = BASE + "id/news/2021-09-20-iom-and-suriname-government-launch-innovative-report"


def _broken(tmp_path: Path) -> Path:
    text = VALID.read_text(encoding="utf-8").replace(
        "schema:about <id/country/SR> ;", "schema:about <id/organization/iom> ;", 1
    )
    text = text.replace("IOM and Suriname Government", "IOM & <Suriname> Government", 1)
    path = tmp_path / "broken.ttl"
    path.write_text(text, encoding="utf-8")
    return path


def test_text_report_names_the_item_its_source_field_and_value(tmp_path: Path) -> None:
    code, out = run_validate_command([_broken(tmp_path)], fmt="text", base=BASE)
    assert code == 1
    block = out.split(f"<{ITEM}>", 1)[1]
    assert "2021-09-20" in block
    assert "from news/iom-news-2021.txt:1" in block
    assert (
        "Violation: https://schema.org/about = <https://w3id.org/miglod/id/organization/iom>"
        in block
    )
    assert "schema:about must point at a country" in block
    assert out.startswith("Does not conform: 1 violation(s), 2 warning(s)")


def test_html_report_escapes_what_comes_from_the_data(tmp_path: Path) -> None:
    code, out = run_validate_command([_broken(tmp_path)], fmt="html", base=BASE)
    assert code == 1
    assert "IOM &amp; &lt;Suriname&gt; Government" in out
    assert "<Suriname>" not in out


def test_json_report_lists_findings(tmp_path: Path) -> None:
    code, out = run_validate_command([_broken(tmp_path)], fmt="json", base=BASE)
    body = json.loads(out)
    assert code == 1 and body["conforms"] is False
    about = [r for r in body["results"] if r["path"] == "https://schema.org/about"]
    assert about[0]["focus"] == ITEM
    assert about[0]["messages"]["es"] == "schema:about debe apuntar a un país (schema:Country)."
    assert about[0]["source"] == "news/iom-news-2021.txt:1"


def test_turtle_report_is_a_shacl_report(tmp_path: Path) -> None:
    _code, out = run_validate_command([_broken(tmp_path)], fmt="turtle", base=BASE)
    report = Graph().parse(data=out, format="turtle")
    assert len(set(report.objects(None, SH.result))) == 3
    assert (None, SH.conforms, None) in report


def test_warnings_alone_exit_zero_but_are_printed() -> None:
    code, out = run_validate_command([VALID], base=BASE)
    assert code == 0
    assert "Warning: https://schema.org/headline" in out
    assert "The item has no theme." in out


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bad.ttl", "<a> <b> .\n", "bad.ttl:1: bad turtle syntax"),
        ("empty.ttl", "\n\n", "empty.ttl: file is empty"),
        ("data.csv", "a,b\n", "unknown RDF format for suffix '.csv'"),
        ("bad.jsonld", '{"@id": 1,\n', "bad.jsonld:2: bad JSON"),
    ],
)
def test_bad_input_exits_two_with_one_line(
    tmp_path: Path, name: str, content: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, out = run_validate_command([path], base=BASE)
    assert code == 2
    assert out.count("\n") == 1
    assert expected in out


def test_unreadable_shapes_exit_two(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n<a> sh:path \n", encoding="utf-8"
    )
    code, out = run_validate_command([VALID], shapes_path=shapes, base=BASE)
    assert code == 2
    assert out.startswith(f"error: {shapes}:")


def test_unknown_report_format_exits_two() -> None:
    code, out = run_validate_command([VALID], fmt="pdf", base=BASE)
    assert code == 2 and "unknown report format" in out


def test_format_result_refuses_unknown_formats() -> None:
    result = validate(Graph().parse(VALID, publicID=BASE))
    with pytest.raises(ValueError):
        format_result(result, "yaml")
