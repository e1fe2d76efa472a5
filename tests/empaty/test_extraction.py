"""Personal data read from customers' words (EMP-2): what is read, what is not, and the
precision on the labelled set."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from empaty.extraction import extract

FOUND = [
    ("Hola, soy Juan Pérez", {("name", "Juan Pérez")}),
    ("me llamo maría", {("name", "María")}),
    ("Mi nombre es Yesica", {("name", "Yesica")}),
    ("me llamo Ezequiel pero me dicen Eze", {("name", "Ezequiel"), ("nickname", "Eze")}),
    ("decime Juancho nomás", {("nickname", "Juancho")}),
    ("mi cel es 11 5555-5555", {("phone", "+5491155555555")}),
    ("+54 9 351 555-1234", {("phone", "+5493515551234")}),
    ("llamame al 0351 15 555 1234", {("phone", "+5493515551234")}),
    ("mi dni es 30.123.456", {("dni", "30123456")}),
    ("tengo 35 años", {("age", "35"), ("age_range", "30-39")}),
    ("ya cumplí 40", {("age", "40"), ("age_range", "40-49")}),
    ("tengo treinta y cinco años", {("age", "35"), ("age_range", "30-39")}),
    ("soy de Cordoba", {("residence", "Córdoba")}),
    ("vivo en caba", {("residence", "CABA")}),
    ("soy de acá de Mar del Plata", {("residence", "Mar del Plata")}),
    ("vivo en Montevideo", {("residence", "Montevideo")}),
    ("estoy casada y tengo 2 hijos", {("family", "casado/a"), ("family", "con hijos")}),
    ("soy soltero", {("family", "soltero/a")}),
    ("soy docente", {("work", "docente")}),
    ("trabajo de enfermera", {("work", "enfermero/a")}),
    ("estoy sin laburo", {("work", "desempleado/a")}),
    ("gano 500 mil por mes", {("income", "$500.000 por mes")}),
    ("soy jubilada con la mínima", {("work", "jubilado/a"), ("income", "jubilación mínima")}),
]

NOT_FOUND = [
    "soy cliente",
    "soy yo",
    "soy re fan",
    "soy nuevo",
    "soy de River",
    "tengo 2 pedidos",
    "tengo 3 años de cliente",
    "vivo esperando que me contesten",
    "vivo en Corrientes 1234",
    "hacen envíos a Mendoza?",
    "el pedido 1155556666 no llegó",
    "cuesta 1.250.000 pesos?",
    "te paso el número de mi hermano 11 5555 6666",
    "te llamo al 0800 333 4444?",
    "el DNI del titular 30.123.456",
    "decime cuánto sale",
    "me dicen que no hay stock",
    "me llamó Juan de ventas",
    "no estoy casada",
    "mi ex marido hizo la compra",
    "mi hermano es abogado",
    "trabajo de lunes a viernes",
    "me cobraron 500 mil de más",
    "el 12/05/2024 hice la compra",
]


@pytest.mark.parametrize(("text", "expected"), FOUND, ids=[text for text, _ in FOUND])
def test_it_reads_what_the_customer_says(text: str, expected: set[tuple[str, str]]) -> None:
    assert {(found.field, found.value) for found in extract(text)} == expected


@pytest.mark.parametrize("text", NOT_FOUND)
def test_tempting_words_are_not_personal_data(text: str) -> None:
    assert extract(text) == []


def test_the_excerpt_is_the_text_as_written() -> None:
    (found,) = extract("Buenas! Vivo en Bahía Blanca desde chica")
    assert (found.value, found.excerpt) == ("Bahía Blanca", "Vivo en Bahía Blanca")


def test_precision_on_the_labelled_set() -> None:
    out = StringIO()
    call_command("empaty_extraction_eval", stdout=out)
    result = json.loads(out.getvalue())
    assert result["lines"] >= 300
    assert result["lines_without_data"] >= result["lines"] / 2
    assert result["precision"] >= 0.95
    assert result["recall"] >= 0.8


def test_the_command_counts_per_field_and_refuses_bad_files(tmp_path: Path) -> None:
    good = tmp_path / "cases.tsv"
    good.write_text("soy de Salta\tresidence=Salta\nsoy de Jujuy\tresidence=Salta\ntengo 2 pedidos\t\n")
    out = StringIO()
    call_command("empaty_extraction_eval", str(good), "--errors", stdout=out)
    result = json.loads(out.getvalue())
    assert result["fields"]["residence"] == {"precision": 0.5, "recall": 0.5, "tp": 1, "fp": 1, "fn": 1}
    assert [error["text"] for error in result["errors"]] == ["soy de Jujuy"]
    bad = tmp_path / "bad.tsv"
    bad.write_text("no tab here\n")
    with pytest.raises(CommandError):
        call_command("empaty_extraction_eval", str(bad))
