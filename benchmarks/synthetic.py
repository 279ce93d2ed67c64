"""Make a synthetic news listing of N varied items, in the sample's plain-text shape.

The items mix English and Spanish, countries named by name, demonym and city,
organisations by name and acronym, events with dates and participant counts,
so that every extractor does real work. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
MONTHS_ES = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]

COUNTRIES_EN = [
    "Panama",
    "Mexico",
    "Honduras",
    "Guatemala",
    "El Salvador",
    "Costa Rica",
    "Suriname",
    "Guyana",
    "the Dominican Republic",
    "Colombia",
    "Ecuador",
    "Peru",
    "Chile",
    "Belize",
    "Jamaica",
    "Trinidad and Tobago",
    "Haiti",
    "Brazil",
    "Argentina",
    "Nicaragua",
]
COUNTRIES_ES = [
    "Panamá",
    "México",
    "Honduras",
    "Guatemala",
    "El Salvador",
    "Costa Rica",
    "Surinam",
    "Colombia",
    "Ecuador",
    "Perú",
    "Chile",
    "Belice",
    "República Dominicana",
    "Argentina",
]
DEMONYMS_EN = [
    "Honduran",
    "Guatemalan",
    "Venezuelan",
    "Haitian",
    "Salvadoran",
    "Mexican",
    "Colombian",
]
DEMONYMS_ES = [
    "hondureños",
    "guatemaltecas",
    "venezolanos",
    "haitianos",
    "salvadoreñas",
    "nicaragüenses",
]
CITIES = [
    "Georgetown, Guyana",
    "Panama City",
    "San José",
    "Tegucigalpa",
    "Guatemala City",
    "Port-au-Prince",
    "Paramaribo",
    "Kingston",
    "Bogotá",
    "Quito",
    "Lima",
    "Santo Domingo",
]
ORGS_EN = [
    "the International Organization for Migration (IOM)",
    "IOM",
    "the International Labour Organization (ILO)",
    "UNHCR",
    "CARICOM IMPACS",
    "the Regional Conference on Migration (RCM)",
    "UNICEF",
    "the Organization of American States (OAS)",
    "FLACSO Costa Rica",
    "SICA",
]
ORGS_ES = [
    "la Organización Internacional para las Migraciones (OIM)",
    "la OIM",
    "la OIT",
    "ACNUR",
    "el Instituto Nacional de Migración (INM)",
    "la Conferencia Regional sobre Migración (CRM)",
]
TOPICS_EN = [
    "labour migration",
    "border management",
    "the protection of migrants in vulnerable situations",
    "counter-trafficking efforts",
    "migration governance",
    "information hubs on migration",
    "disaster displacement",
    "the reintegration of returnees",
    "migrant health",
    "migration data",
]
TOPICS_ES = [
    "la migración laboral",
    "la gestión de fronteras",
    "la protección de personas migrantes",
    "la lucha contra la trata de personas",
    "la gobernanza migratoria",
    "el retorno y la reintegración",
]
EVENTS_EN = ["workshop", "online course", "training", "forum", "regional meeting", "launch event"]
EVENTS_ES = ["taller", "curso virtual", "capacitación", "foro", "reunión regional"]


def _date(rng: random.Random) -> dt.date:
    return dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(0, 6 * 365))


def _english(rng: random.Random, day: dt.date, n: int) -> tuple[str, str, list[str]]:
    country, other = rng.sample(COUNTRIES_EN, 2)
    org, org2 = rng.sample(ORGS_EN, 2)
    topic = rng.choice(TOPICS_EN)
    event = rng.choice(EVENTS_EN)
    start = day - dt.timedelta(days=rng.randrange(3, 40))
    end = start + dt.timedelta(days=rng.randrange(1, 20))
    date_line = f"{day.day} {MONTHS_EN[day.month - 1]}, {day.year}"
    headline = f"{org.removeprefix('the ').split(' (')[0]} and {country} advance {topic} ({n})"
    first = (
        f"{org[0].upper() + org[1:]} and the Government of {country} held a {event} on {topic} "
        f"from {MONTHS_EN[start.month - 1]} {start.day} to {MONTHS_EN[end.month - 1]} {end.day}, {end.year}, "
        f"with more than {rng.randrange(10, 300)} officials from {other} and {rng.choice(CITIES)}."
    )
    second = (
        f"{rng.choice(DEMONYMS_EN)} migrants and host communities took part, and {org2} presented "
        f"a report on the Global Compact for Migration and SDG target 10.7."
    )
    return date_line, headline, [first, second] if rng.random() < 0.6 else [first]


def _spanish(rng: random.Random, day: dt.date, n: int) -> tuple[str, str, list[str]]:
    country = rng.choice(COUNTRIES_ES)
    org = rng.choice(ORGS_ES)
    topic = rng.choice(TOPICS_ES)
    event = rng.choice(EVENTS_ES)
    date_line = f"{day.day} {MONTHS_ES[day.month - 1].capitalize()}, {day.year}"
    headline = f"{country} fortalece {topic} con apoyo de {org.split(' (')[0].removeprefix('la ').removeprefix('el ')} ({n})"
    body = (
        f"{org[0].upper() + org[1:]} y el Gobierno de {country} realizaron un {event} sobre {topic} "
        f"el {day.day} de {MONTHS_ES[day.month - 1]} de {day.year}, con {rng.randrange(10, 200)} "
        f"participantes {rng.choice(DEMONYMS_ES)} en modalidad virtual."
    )
    return date_line, headline, [body]


def items(count: int, seed: int = 7) -> Iterator[str]:
    """Yield ``count`` listing items as text blocks."""
    rng = random.Random(seed)
    for n in range(count):
        day = _date(rng)
        maker = _spanish if rng.random() < 0.3 else _english
        date_line, headline, paragraphs = maker(rng, day, n)
        yield "\n\n".join([date_line, headline, *paragraphs]) + "\n\n"


def write_listing(path: Path, count: int, seed: int = 7) -> Path:
    """Write a listing of ``count`` items to ``path`` and return it."""
    with path.open("w", encoding="utf-8") as f:
        for block in items(count, seed):
            f.write(block)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int)
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write_listing(args.output, args.count, args.seed)


if __name__ == "__main__":
    main()
