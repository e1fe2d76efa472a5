"""How EMPATY reads a message: a normaliser for Spanish as customers write it on WhatsApp, and the
n-gram features the classifier weighs.

``normalise`` masks personal data (emails, links, phone and document numbers) before anything
else, lowercases, strips accents (keeping ñ), folds laughter ("jajaja", "jsjs", "xD") into
"jaja", shortens repeated letters ("holaaa" -> "hola"), turns the emojis customers use for
feelings into words, expands the usual abbreviations ("q", "xq", "tmb", "porfa") and reads
voseo as the tú forms most written Spanish uses ("tenés" -> "tienes", "sos" -> "eres").
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

MASKS = (
    (re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE), " _url_ "),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), " _email_ "),
    # Phones, DNIs, card and order numbers: 6 or more digits, maybe split by spaces, dots, dashes.
    (re.compile(r"\+?\d(?:[\d .\-]{4,}\d)"), " _num_ "),
)
ACCENTS = str.maketrans("áéíóúüàèìòùâêîôûäëïö", "aeiouuaeiouaeiouaeio")
LAUGH = re.compile(
    r"\b(?:a?(?:j+[aeiou]+){2,}j*|(?:js){2,}j?|(?=[jas]*j[jas]*a)[jas]{5,}|(?:ha){2,}h?|(?:he){3,}|x+d+|lol)\b"
)
REPEATS = re.compile(r"([a-zñ])\1{2,}")
PUNCT_RUNS = re.compile(r"([!?¡¿])[!?¡¿]+")
TOKEN = re.compile(r"[a-zñ_]+|\d+|!!|\?\?|[!?]")

# Emojis (and emoticons) that carry a feeling, as the word a customer would have written.
EMOJI_WORDS = {
    "😂": "jaja", "🤣": "jaja", "😆": "jaja", "😅": "jaja", "😁": "contento", "😀": "contento",
    "😃": "contento", "😄": "contento", "😊": "contento", "🙂": "contento", "☺": "contento",
    "😍": "encanta", "🥰": "encanta", "😘": "beso", "❤": "amor", "💕": "amor", "💖": "amor",
    "♥": "amor", "🥳": "festejo", "🎉": "festejo", "👏": "aplauso", "🙌": "aplauso", "👌": "bien",
    "👍": "bien", "💪": "fuerza", "🙏": "gracias", "🤗": "abrazo", "😎": "genial", "🔥": "genial",
    "😢": "triste", "😭": "llanto", "😞": "triste", "😔": "triste", "😟": "preocupado",
    "🥺": "triste", "💔": "triste", "😿": "triste", "😩": "cansado", "😫": "cansado",
    "😡": "enojado", "🤬": "enojado", "😠": "enojado", "😤": "enojado", "👎": "mal", "😒": "molesto",
    "🙄": "ironia", "😑": "molesto", "😐": "molesto", "🖕": "insulto",
    "😱": "miedo", "😨": "miedo", "😰": "miedo", "😧": "miedo", "😬": "nervioso", "🙀": "miedo",
    "🤢": "asco", "🤮": "asco", "💩": "asco", "🤧": "asco",
    "😮": "sorpresa", "😲": "sorpresa", "😯": "sorpresa", "😳": "sorpresa", "🤯": "sorpresa",
    "😵": "sorpresa", "‼": "!!", "❗": "!", "❓": "?",
    ":)": "contento", ":-)": "contento", ":D": "contento", ":(": "triste", ":-(": "triste",
    ":'(": "llanto", "<3": "amor",
}  # fmt: skip
EMOJI = re.compile("|".join(re.escape(key) for key in sorted(EMOJI_WORDS, key=len, reverse=True)))

# Chat abbreviations of the region, whole words only, after accents are gone.
ABBREVIATIONS = {
    "q": "que", "k": "que", "ke": "que", "xq": "porque", "pq": "porque", "porq": "porque",
    "xk": "porque", "tmb": "tambien", "tb": "tambien", "tmbn": "tambien", "tambn": "tambien",
    "x": "por", "d": "de", "bn": "bien", "msj": "mensaje", "msjs": "mensajes", "dsp": "despues",
    "dps": "despues", "desp": "despues", "toy": "estoy", "tas": "estas", "ta": "esta", "nd": "nada",
    "porfa": "por favor", "porfis": "por favor", "xfa": "por favor", "plis": "por favor",
    "pls": "por favor", "grax": "gracias", "grs": "gracias", "grac": "gracias", "graciass": "gracias",
    "tqm": "te quiero mucho", "ntp": "no te preocupes", "mñn": "mañana", "mña": "mañana",
    "hs": "horas", "hr": "hora", "hrs": "horas", "cdo": "cuando", "qdo": "cuando", "xa": "para",
    "pa": "para", "slds": "saludos", "saludoss": "saludos", "bss": "besos", "bs": "besos",
    "finde": "fin de semana", "info": "informacion", "dnd": "donde", "xq?": "porque",
    "ok": "okey", "oka": "okey", "okis": "okey", "oki": "okey", "sip": "si", "nop": "no",
    "nah": "no", "aca": "aca", "vdd": "verdad", "bno": "bueno", "wenas": "buenas", "wena": "buena",
    "hdp": "insulto", "ctm": "insulto", "lpm": "insulto", "lpmqlp": "insulto", "wtf": "sorpresa",
    "omg": "sorpresa", "uff": "uf", "ufff": "uf",
}  # fmt: skip

# Rioplatense voseo, as the tú forms the subtitles of XED (and most Spanish text) use.
VOSEO = {
    "vos": "tu", "sos": "eres", "tenes": "tienes", "queres": "quieres", "podes": "puedes",
    "decis": "dices", "venis": "vienes", "pensas": "piensas", "entendes": "entiendes",
    "volves": "vuelves", "preferis": "prefieres", "contame": "cuentame", "decime": "dime",
    "tene": "ten", "veni": "ven", "deci": "di", "sentis": "sientes", "recordas": "recuerdas",
}  # fmt: skip
WORDS = {**ABBREVIATIONS, **VOSEO}


def mask(text: str) -> str:
    """The text with emails, links and long numbers replaced by placeholders."""
    for pattern, placeholder in MASKS:
        text = pattern.sub(placeholder, text)
    return text


def normalise(text: str) -> str:
    text = mask(text)
    text = EMOJI.sub(lambda match: f" {EMOJI_WORDS[match.group()]} ", text)
    text = text.lower().translate(ACCENTS)
    text = LAUGH.sub(" jaja ", text)
    text = REPEATS.sub(r"\1", text)
    text = PUNCT_RUNS.sub(lambda match: f" {match.group(1)}{match.group(1)} ", text)
    words = [WORDS.get(word, word) for word in TOKEN.findall(text)]
    return " ".join(words)


@lru_cache(maxsize=200_000)
def word_grams(word: str) -> tuple[str, ...]:
    """The word itself and its character 2- to 5-grams inside spaces (scikit-learn's char_wb)."""
    padded = f" {word} "
    grams = [f"w {word}"]
    size = len(padded)
    for n in range(2, 6):
        grams += [padded[start : start + n] for start in range(size - n + 1)]
    return tuple(grams)


def features(normalised: str) -> list[str]:
    """Word 1- and 2-grams and character 2- to 5-grams of a normalised text (with repeats)."""
    words = normalised.split()
    grams: list[str] = []
    for word in words:
        grams += word_grams(word)
    grams += [f"b {first} {second}" for first, second in itertools.pairwise(words)]
    return grams
