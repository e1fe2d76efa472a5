"""Personal data in what customers write (EMP-2): name, nickname, phone, DNI, age, residence,
family, work and income, read with a short list of patterns per field.

Precision comes first (a wrong suggestion is worse than none): every reading needs a cue in the
customer's own first person ("me llamo", "vivo en", "tengo 35 años"), values come from closed
lists where words are ambiguous (first names after "soy", occupations, places), and a negation
right before the cue ("no estoy casada") drops it. Matching runs on ``fold(text)`` (lowercase,
no accents), which keeps every character in place, so values and excerpts are cut from the text
as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from audience.phones import normalize_phone
from empaty.lexicon import FIRST_NAMES, NOT_NAMES, OCCUPATIONS, number_word
from empaty.places import PLACES, fold


@dataclass(frozen=True)
class Found:
    field: str  # a ProfileField value
    value: str  # normalised
    excerpt: str  # the words it was read from


Reader = Callable[[str, str], Iterator[Found]]


def extract(text: str) -> list[Found]:
    """Every datum ``text`` states about its writer, each (field, value) once, in reading order."""
    low = fold(text)
    seen: dict[tuple[str, str], Found] = {}
    for reader in READERS:
        for found in reader(text, low):
            seen.setdefault((found.field, found.value), found)
    return list(seen.values())


def _negated(low: str, start: int) -> bool:
    return re.search(r"\b(?:no|nunca|ni|tampoco)\s+(?:\w+\s+)?$", low[max(0, start - 20) : start]) is not None


def _excerpt(text: str, match: re.Match[str]) -> str:
    return text[match.start() : match.end()].strip(" ,.;:")[:200]


# Names ---------------------------------------------------------------------------------------

WORD = r"[a-zñ]{2,}"
NAME_CUES = [
    # (pattern, the first word must be a known first name rather than known or capitalised)
    (re.compile(rf"\b(?:me\s+llamo|mi\s+nombre\s+es)\s+(?P<v>{WORD}(?:\s+{WORD}){{0,2}})"), False),
    (
        re.compile(rf"\b(?:soy|habla|(?:te|le|les)\s+(?:escribe|habla))\s+(?P<v>{WORD}(?:\s+{WORD}){{0,2}})"),
        True,
    ),
]
NICKNAME_CUES = [
    re.compile(
        rf"\b(?:decime|llamame|me\s+dicen|me\s+conocen\s+como|me\s+llaman)\s+"
        rf"(?P<article>(?:el|la)\s+)?(?P<v>{WORD})(?=\s*(?:$|[.,;!)]|y\s|nom[aá]s|de\s+apodo))"
    ),
]


def _name_words(text: str, low: str, match: re.Match[str], known_first: bool) -> str:
    """The first word, then the following words written capitalised (a surname)."""
    start = match.start("v")
    words = list(re.finditer(WORD, low[start : match.end("v")]))
    first, written = words[0].group(), text[start : start + words[0].end()]
    if first not in FIRST_NAMES and (
        known_first
        or not written[0].isupper()
        or first in NOT_NAMES
        or first in PLACES
        or first in OCCUPATION_WORDS
    ):
        return ""
    kept: list[str] = []
    for word in words:
        original = text[start + word.start() : start + word.end()]
        if kept and (not original[0].isupper() or word.group() in NOT_NAMES or word.group() in PLACES):
            break
        kept.append(original[0].upper() + original[1:].lower())
    return " ".join(kept)


def _names(text: str, low: str) -> Iterator[Found]:
    for pattern, known_first in NAME_CUES:
        for match in pattern.finditer(low):
            if "llamó" in text[match.start() : match.start("v")]:
                continue  # "me llamó" (called me), accent and all
            if value := _name_words(text, low, match, known_first):
                excerpt = text[match.start() : match.start("v")] + value
                if not _negated(low, match.start()):
                    yield Found("name", value, excerpt.strip())
    for pattern in NICKNAME_CUES:
        for match in pattern.finditer(low):
            word, value = match.group("v"), text[match.start("v") : match.end("v")]
            if match.group("article") and not value[0].isupper():
                continue  # "decime la verdad"; "me dicen la Negra"
            if word not in NOT_NAMES and word not in OCCUPATION_WORDS and not _negated(low, match.start()):
                yield Found("nickname", value[0].upper() + value[1:], _excerpt(text, match))


# Phones and DNI ------------------------------------------------------------------------------

PHONE = re.compile(r"(?<![\w$#./,-])(\+?\(?\d[\d\s().-]{6,22}\d)(?![\w/]|[.,]\d)")
# Whose number: the writer's ("mi cel", "llamame al", "Tel: ...") or a number sent alone.
OWN_PHONE = re.compile(
    r"\b(?:mi|mio|paso|llamame|llamenme|escribime|escribanme|contactame|contactenme|anota|agenda|"
    r"mandame)\b|\b(?:tel|telefono|cel|celu|celular|movil|whatsapp|wsp|wpp)\s*:?\s*$"
)
NOT_PHONE = re.compile(
    r"(?:pedido|orden|compra|factura|guia|seguimiento|tracking|ticket|reclamo|tramite|dni|"
    r"documento|cuit|cuil|cbu|cvu|tarjeta|cuenta|codigo|cod|operacion|transaccion|comprobante|"
    r"serie|\$|#)"
)
THIRD_PARTY = re.compile(
    r"\bde\s+(?:mi|mis|la|el|su|tu)\s+(?:hermano|hermana|mama|papa|madre|padre|hij[oa]|espos[oa]|marido|"
    r"mujer|novi[oa]|amig[oa]|vecin[oa]|jef[ea]|prim[oa]|ti[oa]|abuel[oa]|suegr[oa]|cuñad[oa]|pareja|"
    r"viej[oa]|titular|vendedor|local|negocio|empresa)\b"
)
MONEY_AFTER = re.compile(r"^\s*(?:pesos|mangos|ars|usd|dolares|u\$s|\$)")


def _phones(text: str, low: str) -> Iterator[Found]:
    for match in PHONE.finditer(low):
        raw = match.group(1).strip()
        digits = re.sub(r"\D", "", raw)
        before = low[max(0, match.start() - 30) : match.start()]
        if not 10 <= len(digits) <= 13 or NOT_PHONE.search(before) or MONEY_AFTER.match(low[match.end() :]):
            continue
        alone = len(re.sub(r"[^a-zñ]", "", low[: match.start()] + low[match.end() :])) <= 6
        if not (OWN_PHONE.search(before) or alone):
            continue  # nothing says it is the writer's phone
        if THIRD_PARTY.search(before):
            continue  # "el número de mi hermano"
        try:
            value = normalize_phone(raw)
        except ValidationError:
            continue
        if value.startswith(("+54800", "+54810", "+54600")):
            continue  # a company's toll-free or shared-cost line
        yield Found("phone", value, text[max(0, match.start() - 20) : match.end()].strip()[:200])


DNI = re.compile(
    r"\b(?:dni|d\.n\.i\.?|documento)(?:\W+(?:es|el|mi|de|nro|n|numero|seria|tengo)\b){0,3}[\s:°º.]*"
    r"(?P<v>\d{1,2}[.\s]?\d{3}[.\s]?\d{3})(?![\d]|[.,\s]\d)"
)


def _dni(text: str, low: str) -> Iterator[Found]:
    for match in DNI.finditer(low):
        digits = re.sub(r"\D", "", match.group("v"))
        if 7 <= len(digits) <= 8:
            yield Found("dni", digits, _excerpt(text, match))


# Age -----------------------------------------------------------------------------------------

NUMBER = r"\d{1,2}|[a-z]+(?:\s+y\s+[a-z]+)?"
YEARS = r"(?:años|anos|anios|pirulos|abriles)"
AGE_CUES = [
    # Says "tengo N años", unless years of something else follow (de cliente, con ustedes).
    re.compile(
        rf"\btengo\s+(?P<v>{NUMBER})\s+{YEARS}(?!\s+(?:de\s+(?!edad)|con|en|que|trabajando|como|"
        rf"haciendo|esperando|comprando|siendo|sin|desde|ya)\b)"
    ),
    # "cumplí 40", "ya cumplí 40 años"
    re.compile(rf"\bcumpli\s+(?P<v>{NUMBER})(?:\s+{YEARS})?(?=\s*(?:$|[.,;!)]|y\s))"),
    re.compile(rf"\b(?:mi\s+edad\s+es(?:\s+de)?|edad\s*:)\s*(?P<v>{NUMBER})\b"),
]
AGE_ABOUT = re.compile(rf"\btengo\s+(?P<v>{NUMBER})\s+y\s+pico\b")


def age_range(age: int) -> str:
    decade = age // 10 * 10
    return f"{decade}-{decade + 9}"


def _age_value(raw: str) -> int | None:
    age = int(raw) if raw.isdigit() else number_word(raw)
    return age if age is not None and 14 <= age <= 99 else None


def _age(text: str, low: str) -> Iterator[Found]:
    for pattern in AGE_CUES:
        for match in pattern.finditer(low):
            age = _age_value(match.group("v"))
            if age is not None and not _negated(low, match.start()):
                yield Found("age", str(age), _excerpt(text, match))
                yield Found("age_range", age_range(age), _excerpt(text, match))
    for match in AGE_ABOUT.finditer(low):
        age = _age_value(match.group("v"))
        if age is not None and age % 10 == 0:
            yield Found("age_range", age_range(age), _excerpt(text, match))


# Residence -----------------------------------------------------------------------------------


def _alternation(words: object) -> str:
    names = sorted(words, key=len, reverse=True)  # type: ignore[call-overload]  # any iterable of str
    return "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in names)


RESIDENCE = re.compile(
    r"\b(?P<verb>vivo|vivimos|resido|residimos|estoy|estamos|soy|somos|(?:me|nos)\s+(?:mud(?:e|amos)|vin(?:e|imos)\s+a\s+vivir)|"
    r"(?:te|les?)\s+escribo)\s+(?P<prep>en|de|a|desde)\s+(?:aca\s+(?:de|en)\s+)?(?:la\s+|el\s+)?"
    r"(?:(?:provincia|ciudad|pcia\.?|prov\.?)\s+de\s+)?"
    rf"(?P<v>{_alternation(PLACES)})(?![\w.])"
    r"(?!\s*(?:\d|al\s+\d|de\s+(?:vacaciones|paso|viaje)|por\s+(?:trabajo|unos|unas|un|una)|"
    r"hasta|y\s+(?:callao|pueyrredon|florida|uruguay|san\s+martin)))"
)
# "soy Juan, de Rosario": a known first name may stand between "soy" and "de".
NAMED_RESIDENCE = re.compile(
    rf"\bsoy\s+(?P<n>{WORD})(?:\s+{WORD})?\s*,?\s+de\s+(?:la\s+)?(?P<v>{_alternation(PLACES)})(?![\w.])(?!\s*\d)"
)
RESIDENCE_VERB_PLACE = {"vivo", "vivimos", "resido", "residimos", "estoy", "estamos"}


def _residence(text: str, low: str) -> Iterator[Found]:
    for match in RESIDENCE.finditer(low):
        verb, preposition = match.group("verb"), match.group("prep")
        # "vivo en", "soy de", "me mudé a", "te escribo desde": the verb decides the preposition.
        expected = (
            {"en"} if verb in RESIDENCE_VERB_PLACE else {"de"} if verb in {"soy", "somos"} else {"a", "desde"}
        )
        if preposition in expected and not _negated(low, match.start()):
            place = PLACES[re.sub(r"\s+", " ", match.group("v"))]
            yield Found("residence", place, _excerpt(text, match))
    for match in NAMED_RESIDENCE.finditer(low):
        if match.group("n") in FIRST_NAMES:
            yield Found("residence", PLACES[re.sub(r"\s+", " ", match.group("v"))], _excerpt(text, match))


# Family and work -----------------------------------------------------------------------------

STATE = r"(?:estoy|soy|somos|estamos|quede|me\s+quede)\s+(?:recien\s+)?"
FAMILY = [
    (
        re.compile(
            rf"\b{STATE}casad[oa]s?\b|\bme\s+case\b|\brecien\s+casad[oa]s\b|\ba(?:ñ|n|ni)os\s+de\s+casad[oa]s?\b|"
            r"\bmi\s+(?:marido|esposo|esposa|señora|mujer)\b"
        ),
        "casado/a",
    ),
    (re.compile(rf"\b{STATE}solter[oa]\b"), "soltero/a"),
    (re.compile(rf"\b{STATE}divorciad[oa]\b|\bme\s+divorcie\b"), "divorciado/a"),
    (re.compile(rf"\b{STATE}separad[oa]\b|\bme\s+separe\b"), "separado/a"),
    (re.compile(rf"\b{STATE}viud[oa]\b"), "viudo/a"),
    (
        re.compile(
            r"\b(?:estoy|vivo|vivimos)\s+en\s+pareja\b|\bmi\s+(?:novi[oa]|pareja)\b|\bestoy\s+de\s+novi[oa]\b"
        ),
        "en pareja",
    ),
    (
        re.compile(
            r"\btengo\s+(?:un|una|dos|tres|cuatro|cinco|seis|\d)\s+(?:hij[oa]s?|nen[ea]s?)\b|"
            r"\bmis\s+hij[oa]s\b|\bmi\s+hij[oa]\b|\bsoy\s+(?:mama|papa|madre|padre)\s+de\b|"
            r"\b(?:casad|solter|divorciad|separad|viud)[oa]\s+con\s+(?:un|una|dos|tres|\d)\s+hij"
        ),
        "con hijos",
    ),
]
NO_CHILDREN = re.compile(r"\bno\s+tengo\s+hij[oa]s\b")

OCCUPATION_WORDS: dict[str, str] = {}
for _label in OCCUPATIONS:
    if _label.endswith("o/a"):
        OCCUPATION_WORDS |= {fold(_label[:-3]) + end: _label for end in ("o", "a")}
    elif _label.endswith("/a"):
        OCCUPATION_WORDS |= {fold(_label[:-2]) + end: _label for end in ("", "a")}
    else:
        OCCUPATION_WORDS[fold(_label)] = _label
WORK = re.compile(
    r"\b(?:soy|estoy|trabajo\s+(?:de|como)|laburo\s+de|me\s+desempeño\s+como|ejerzo\s+como)\s+"
    rf"(?:(?:un|una|el|la)\s+)?(?P<v>{_alternation(OCCUPATION_WORDS)})\b"
)
STUDIES = (
    r"en\s+la\s+(?:facu|facultad|universidad|uni)|(?:la|una)\s+carrera|medicina|derecho|abogacia|"
    r"ingenieria|psicologia|enfermeria|profesorado"
)
WORK_STATES = [
    (
        re.compile(
            r"\b(?:estoy|ando|me\s+quede|quede)\s+(?:sin\s+(?:trabajo|laburo|empleo)|desocupad[oa]|"
            r"desemplead[oa])\b|\bno\s+tengo\s+(?:trabajo|laburo|empleo)\b"
        ),
        "desempleado/a",
    ),
    (
        re.compile(
            rf"\bestoy\s+estudiando(?=\s*(?:$|[.,;!]|y\s|{STUDIES}))|\bestudio\s+en\s+la\s+(?:facu|facultad|universidad|uni)\b"
        ),
        "estudiante",
    ),
    (re.compile(r"\bestoy\s+jubilad[oa]\b|\bme\s+jubile\b"), "jubilado/a"),
]


def _family(text: str, low: str) -> Iterator[Found]:
    for match in NO_CHILDREN.finditer(low):
        yield Found("family", "sin hijos", _excerpt(text, match))
    for pattern, value in FAMILY:
        for match in pattern.finditer(low):
            if not _negated(low, match.start()):
                yield Found("family", value, _excerpt(text, match))


def _work(text: str, low: str) -> Iterator[Found]:
    for match in WORK.finditer(low):
        if not _negated(low, match.start()) and not (
            match.group().startswith("estoy") and OCCUPATION_WORDS[match.group("v")] != "jubilado/a"
        ):
            yield Found("work", OCCUPATION_WORDS[match.group("v")], _excerpt(text, match))
    for pattern, value in WORK_STATES:
        for match in pattern.finditer(low):
            if value == "desempleado/a" or not _negated(low, match.start()):
                yield Found("work", value, _excerpt(text, match))


# Income --------------------------------------------------------------------------------------

AMOUNT = (
    r"(?:unos?\s+|alrededor\s+de\s+|como\s+|mas\s+o\s+menos\s+|casi\s+)?\$?\s*"
    r"(?P<n>\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?|un|medio)\s*(?P<m>mil|k|lucas|palos?|millon(?:es)?)?\b"
)
PERIOD = (
    r"(?:\s*(?:pesos|\$|mangos))?\s*(?P<p>por\s+mes|al\s+mes|mensual(?:es)?|por\s+quincena|"
    r"por\s+semana|por\s+hora|por\s+dia|por\s+año|de\s+sueldo|de\s+jubilacion|limpios?|en\s+mano)?"
)
INCOME_AMOUNT = [
    re.compile(rf"(?<!\bme\s)(?<!\bte\s)(?<!\bse\s)(?<!\bel\s)\b(?:gano|cobro|percibo)\s+{AMOUNT}{PERIOD}"),
    re.compile(
        rf"\bmi\s+(?:sueldo|salario|jubilacion|pension|ingreso)\s+(?:es\s+(?:de\s+)?|son\s+|:\s*){AMOUNT}{PERIOD}"
    ),
]
INCOME_FIXED = [
    (re.compile(r"\b(?:cobro|gano)\s+(?:el\s+)?(?:salario\s+)?minimo\b"), "salario mínimo"),
    (
        re.compile(
            r"\bjubilad[oa]\s+(?:con|que\s+cobra|y\s+cobro)\s+la\s+minima\b|\bcobro\s+la\s+(?:jubilacion\s+)?minima\b"
        ),
        "jubilación mínima",
    ),
]
MULTIPLIERS = {"mil": 1_000, "k": 1_000, "lucas": 1_000, "palo": 1_000_000, "palos": 1_000_000}
MULTIPLIERS |= {"millon": 1_000_000, "millones": 1_000_000}
PERIODS = {"al mes": "por mes", "mensual": "por mes", "mensuales": "por mes", "de sueldo": "por mes"}


def _amount(match: re.Match[str]) -> int | None:
    number, multiplier = match.group("n"), match.group("m") or ""
    if number in {"un", "medio"}:
        if not multiplier.startswith(("palo", "millon")):
            return None
        return 1_000_000 if number == "un" else 500_000
    value = float(number.replace(".", "").replace(",", "."))
    return int(value * MULTIPLIERS.get(multiplier, 1))


def _income(text: str, low: str) -> Iterator[Found]:
    for pattern in INCOME_AMOUNT:
        for match in pattern.finditer(low):
            amount, period = _amount(match), re.sub(r"\s+", " ", match.group("p") or "")
            # "cobro 500" may be what they are charged: only with the period said ("por mes").
            said_how = period or match.group().split()[0] in {"gano", "mi"}
            if amount is None or amount < 1000 or not said_how or _negated(low, match.start()):
                continue
            period = PERIODS.get(period, period if period.startswith("por") else "")
            value = f"${amount:,}".replace(",", ".") + (f" {period}" if period else "")
            yield Found("income", value, _excerpt(text, match))
    for pattern, value in INCOME_FIXED:
        for match in pattern.finditer(low):
            yield Found("income", value, _excerpt(text, match))


READERS: list[Reader] = [_names, _phones, _dni, _age, _residence, _family, _work, _income]
