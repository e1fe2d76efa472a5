"""The closed word lists personal-data extraction (EMP-2) leans on, written lowercase without
accents like ``places.fold`` leaves the text (occupations keep their accents: they are values)."""

from __future__ import annotations

# Common first names in Argentina: after "soy" only these read as a name ("soy Juan", never
# "soy cliente"). Words that are also adjectives ("franco", "cierto") are left out on purpose.
_FIRST_NAMES = """
    juan maria jose carlos luis jorge miguel pedro pablo diego martin alejandro fernando sergio
    gustavo daniel ricardo roberto eduardo javier marcelo claudio hernan gabriel facundo federico
    matias nicolas lucas santiago tomas agustin joaquin sebastian mariano leandro gonzalo
    ezequiel emiliano maximiliano rodrigo andres raul oscar hector ruben walter hugo mario alberto
    ramon julio cesar cristian damian lautaro bruno thiago benjamin mateo valentin ignacio esteban
    ariel fabian adrian manuel francisco antonio enzo gaston guillermo horacio alfredo ivan
    patricio osvaldo norberto dario leonardo marcos jonathan kevin brian axel nahuel
    ana laura marta silvia graciela patricia susana claudia monica andrea carolina gabriela
    natalia paula florencia camila sofia valentina lucia martina julieta agustina micaela daniela
    romina veronica alejandra mariana cecilia lorena soledad valeria vanesa marina victoria rocio
    belen milagros jimena luciana noelia gisela silvina liliana norma beatriz alicia teresa elena
    isabel cristina estela sandra viviana fernanda carla brenda celeste antonella aldana josefina
    catalina emilia guadalupe mercedes juana ines candela abril lara delfina ximena eugenia
    marisa mirta nora stella karina yanina analia adriana melina tamara magali pilar
"""
FIRST_NAMES = frozenset(_FIRST_NAMES.split())

# Words that follow "me llamo", "decime", "me dicen" without being a name.
_NOT_NAMES = """
    el la los las lo un una uno unos unas al del de a en con sin por para y o que si no ni ya
    yo vos tu usted ustedes el ella nosotros me te se le les mi su sus tus mis
    ayer hoy anoche recien ahora antes despues luego manana temprano tarde nunca siempre
    tambien tampoco solo mucho muy poco mas menos varias varios veces otra otro alguien nadie
    algo nada todo todos todas cuanto cuanta cuantos cuando como donde cual cuales quien porque
    bien mal asi aca alla ahi hola buenas buen buenos gracias dale ok perfecto
    tengo quiero queria necesito necesitaria busco consulta pregunta escribo soy estoy sos es
    cliente clienta nuevo nueva yo fan re muy medio bastante super nomas igual justo
    precio stock envio pedido compra producto mañana año porfa please verdad posta eso esto
    gente señor señora che amigo amiga amor linda querida jefe capo genio
"""
NOT_NAMES = frozenset(_NOT_NAMES.split())

# Occupations, written as the value shown: "abogado/a" reads "abogado" and "abogada".
OCCUPATIONS = [
    "abogado/a", "administrativo/a", "agricultor/a", "albañil", "ama de casa", "arquitecto/a",
    "bombero/a", "cadete", "camionero/a", "carpintero/a", "chofer", "cocinero/a", "comerciante",
    "contador/a", "costurero/a", "diseñador/a", "docente", "electricista", "emprendedor/a",
    "empleado/a", "enfermero/a", "escribano/a", "estudiante", "farmacéutico/a", "gasista",
    "herrero/a", "ingeniero/a", "jardinero/a", "jubilado/a", "kinesiólogo/a", "maestro/a",
    "mecánico/a", "médico/a", "militar", "monotributista", "mozo/a", "niñero/a", "nutricionista",
    "odontólogo/a", "panadero/a", "pensionado/a", "periodista", "peluquero/a", "pintor/a",
    "plomero/a", "policía", "productor/a", "profesor/a", "programador/a", "psicólogo/a",
    "remisero/a", "repartidor/a", "secretario/a", "taxista", "técnico/a", "vendedor/a",
    "veterinario/a", "psicopedagogo/a", "fonoaudiólogo/a", "obstetra", "contratista",
    "empleada doméstica", "trabajador/a independiente", "autónomo/a",
]  # fmt: skip

UNITS = {
    "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9,
}  # fmt: skip
TENS = {"veinte": 20, "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70,
        "ochenta": 80, "noventa": 90}  # fmt: skip
TEENS = {"quince": 15, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19}


def number_word(words: str) -> int | None:
    """15 to 99 written in words: "treinta y cinco", "veintidos", "cuarenta"."""
    words = " ".join(words.split())
    if words in TENS or words in TEENS:
        return TENS.get(words) or TEENS[words]
    if words.startswith("veinti") and words[6:] in UNITS:
        return 20 + UNITS[words[6:]]
    tens, _, unit = words.partition(" y ")
    if tens in TENS and unit in UNITS:
        return TENS[tens] + UNITS[unit]
    return None
