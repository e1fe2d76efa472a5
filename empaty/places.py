"""Where customers say they live (EMP-2): Argentina's 23 provinces and its capital city, the main
cities, and a few neighbouring capitals. Each name maps to the value shown to operators; aliases
are written lowercase without accents, as ``extraction.fold`` leaves the text."""

from __future__ import annotations

import unicodedata

PROVINCES = [
    "Buenos Aires", "Catamarca", "Chaco", "Chubut", "Córdoba", "Corrientes", "Entre Ríos",
    "Formosa", "Jujuy", "La Pampa", "La Rioja", "Mendoza", "Misiones", "Neuquén", "Río Negro",
    "Salta", "San Juan", "San Luis", "Santa Cruz", "Santa Fe", "Santiago del Estero",
    "Tierra del Fuego", "Tucumán",
]  # fmt: skip

CITIES = [
    # Provincial capitals not named like their province.
    "La Plata", "San Fernando del Valle de Catamarca", "Resistencia", "Rawson", "Paraná",
    "San Salvador de Jujuy", "Santa Rosa", "Posadas", "Viedma", "Río Gallegos", "Ushuaia",
    "San Miguel de Tucumán",
    # Main cities and partidos of Greater Buenos Aires.
    "Rosario", "Mar del Plata", "Bahía Blanca", "Tandil", "Necochea", "Olavarría", "Pergamino",
    "Junín", "Zárate", "Campana", "Luján", "Pilar", "Tigre", "San Isidro", "Vicente López",
    "Quilmes", "Lanús", "Lomas de Zamora", "La Matanza", "Morón", "Merlo", "Moreno",
    "Berazategui", "Florencio Varela", "Ituzaingó", "Avellaneda", "Ezeiza", "Escobar",
    "San Miguel", "José C. Paz", "Tres de Febrero", "Hurlingham", "San Justo",
    "Río Cuarto", "Villa María", "Villa Carlos Paz", "San Francisco", "Rafaela",
    "Venado Tuerto", "Reconquista", "Concordia", "Gualeguaychú", "Goya", "Oberá", "Eldorado",
    "Puerto Iguazú", "Clorinda", "Tartagal", "Orán", "Termas de Río Hondo", "Godoy Cruz",
    "Guaymallén", "San Rafael", "Villa Mercedes", "Comodoro Rivadavia", "Trelew",
    "Puerto Madryn", "Esquel", "Bariloche", "Cipolletti", "General Roca", "Cutral Có",
    "Caleta Olivia", "Río Grande", "El Calafate",
    # Neighbouring capitals.
    "Montevideo", "Santiago de Chile", "Asunción",
]  # fmt: skip

ALIASES = {
    "caba": "CABA",
    "capital": "CABA",
    "capital federal": "CABA",
    "ciudad de buenos aires": "CABA",
    "ciudad autonoma de buenos aires": "CABA",
    "bs as": "Buenos Aires",
    "bs. as.": "Buenos Aires",
    "bs.as.": "Buenos Aires",
    "bs.as": "Buenos Aires",
    "bsas": "Buenos Aires",
    "pba": "Buenos Aires",
    "provincia de buenos aires": "Buenos Aires",
    "gba": "Gran Buenos Aires",
    "gran buenos aires": "Gran Buenos Aires",
    "conurbano": "Gran Buenos Aires",
    "zona norte": "Zona Norte (GBA)",
    "zona sur": "Zona Sur (GBA)",
    "zona oeste": "Zona Oeste (GBA)",
    "mdq": "Mar del Plata",
    "mardel": "Mar del Plata",
    "san carlos de bariloche": "Bariloche",
    "tucuman capital": "San Miguel de Tucumán",
    "jujuy capital": "San Salvador de Jujuy",
    "catamarca capital": "San Fernando del Valle de Catamarca",
    "santiago capital": "Santiago del Estero",
    "carlos paz": "Villa Carlos Paz",
    "comodoro": "Comodoro Rivadavia",
    "jose c paz": "José C. Paz",
    "madryn": "Puerto Madryn",
    "iguazu": "Puerto Iguazú",
    "asuncion del paraguay": "Asunción",
}


def fold(text: str) -> str:
    """Lowercase without accents (ñ kept); one character for one, so spans carry over."""
    out = []
    for char in text:
        lower = char.lower()
        if len(lower) != 1:
            lower = char
        if lower != "ñ":
            lower = unicodedata.normalize("NFD", lower)[0]
        out.append(lower)
    return "".join(out)


PLACES: dict[str, str] = {fold(name): name for name in (*PROVINCES, *CITIES)} | ALIASES
