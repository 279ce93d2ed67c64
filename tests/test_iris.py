"""IRIs are minted deterministically under the configured base."""

import pytest

from converter.iris import Iris, item_id, normalize_base, slugify


def test_slugify_folds_accents_and_apostrophes() -> None:
    assert slugify("Mexico’s Beta Group") == "mexicos-beta-group"
    assert slugify("Migración en Panamá: ¡un paso!") == "migracion-en-panama-un-paso"
    assert slugify("   ") == "item"


def test_long_slugs_are_bounded_and_stay_distinct() -> None:
    first = (
        "IOM and the Government of Colombia strengthen the fight against trafficking in persons (1)"
    )
    second = first.replace("(1)", "(2)")
    assert len(slugify(first)) <= 80
    assert slugify(first) != slugify(second)
    assert slugify(first).startswith("iom-and-the-government-of-colombia-strengthen-the-fight")
    assert slugify(first) == slugify(first)


def test_item_id_is_date_and_headline_slug() -> None:
    assert item_id("2021-09-20", "IOM and Suriname Government launch") == (
        "2021-09-20-iom-and-suriname-government-launch"
    )


def test_iris_follow_the_design_paths() -> None:
    iris = Iris("https://data.example.org/lod")
    assert iris.base == "https://data.example.org/lod/"
    assert str(iris.news("x")) == "https://data.example.org/lod/id/news/x"
    assert str(iris.country("sr")) == "https://data.example.org/lod/id/country/SR"
    assert str(iris.theme("health")) == "https://data.example.org/lod/def/theme/health"
    assert str(iris.news_graph("x")) == "https://data.example.org/lod/graph/news/x"
    assert iris.mig == "https://data.example.org/lod/def/mig/"


@pytest.mark.parametrize("bad", ["", "example.org", "ftp://x/", "http://", "http://a b/"])
def test_base_must_be_an_http_iri(bad: str) -> None:
    with pytest.raises(ValueError):
        normalize_base(bad)
