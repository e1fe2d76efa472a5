"""The normaliser: Spanish as customers write it on WhatsApp."""

from __future__ import annotations

import pytest

from empaty.text import features, mask, normalise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Holaaaa, ¿cómo estás?", "hola como estas ?"),
        ("jajajaja", "jaja"),
        ("JAJSJAJS", "jaja"),
        ("jsjsjs", "jaja"),
        ("ajajaj buenísimooo", "jaja buenisimo"),
        ("hahaha xD", "jaja jaja"),
        ("q onda, xq no llegó?", "que onda porque no llego ?"),
        ("tmb quiero 2 porfa", "tambien quiero 2 por favor"),
        ("grax x todo!!!", "gracias por todo !!"),
        ("Tenés stock? Querés q te pase la info", "tienes stock ? quieres que te pase la informacion"),
        ("vos sos un genio", "tu eres un genio"),
        ("mañana paso", "mañana paso"),
        ("Me encantó 😍🙏", "me encanto encanta gracias"),
        ("qué asco 🤮", "que asco asco"),
        ("Estoy re caliente 😡😡", "estoy re caliente enojado enojado"),
        ("NO ME LLEGÓ NADA", "no me llego nada"),
        ("pero... dale :)", "pero dale contento"),
        ("", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mi mail es ana.lopez+tienda@gmail.com", "mi mail es  _email_ "),
        ("mirá https://tienda.com/promo?x=1 ahora", "mirá  _url_  ahora"),
        ("mi cel es +54 9 11 5555-1234", "mi cel es  _num_ "),
        ("DNI 30.123.456", "DNI  _num_ "),
        ("quiero 2 remeras talle 40", "quiero 2 remeras talle 40"),  # small numbers are not personal data
    ],
)
def test_personal_data_is_masked_before_classification(text: str, expected: str) -> None:
    assert mask(text) == expected
    assert "5555" not in normalise(text)
    assert "gmail" not in normalise(text)


def test_features_are_words_bigrams_and_character_grams() -> None:
    grams = features("no llego")
    assert "w no" in grams
    assert "w llego" in grams
    assert "b no llego" in grams
    assert " ll" in grams
    assert "ego " in grams
    assert " lleg" in grams
    assert all(len(gram) <= 5 for gram in grams if not gram.startswith(("w ", "b ")))
