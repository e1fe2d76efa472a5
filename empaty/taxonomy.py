"""The account's interest taxonomy (EMP-3): primary categories with secondary ones under them,
each with keywords matched against conversations (empaty/interests.py). Supervisors edit it;
defaults for three kinds of business get them started.

Every change forgets this process's compiled matcher and, after commit, queues a recount of the
account's interests (``rematch_interests``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from empaty import interests
from empaty.models import Category
from spoter.accounts.models import Account

MAX_NAME = 80
MAX_KEYWORDS = 60
MAX_KEYWORD = 60

KINDS = {
    "retail": gettext_lazy("Retail"),
    "services": gettext_lazy("Services"),
    "education": gettext_lazy("Education"),
}

# One line a category: "Name: keywords"; a secondary is indented under its primary. Spanish (es-AR).
_DEFAULT_TEXT = {
    "retail": """
Indumentaria: ropa, prenda, talle, outfit, pilcha
    Remeras: remera, chomba, musculosa, camiseta, playera, polera, top
    Pantalones: pantalón, jean, jogging, bermuda, short, calza, babucha, joggineta
    Abrigos: campera, buzo, saco, sweater, polar, rompeviento, parka, tapado, camperón
    Calzado: zapatillas, zapatos, botas, borcegos, ojotas, sandalias, mocasines, botines, pantuflas
    Accesorios: cartera, mochila, riñonera, gorra, cinturón, bufanda, anteojos, billetera
Electrónica: electrónica, tecnología, aparato, dispositivo
    Celulares: celular, teléfono, smartphone, iphone, samsung, motorola, xiaomi, funda, cargador
    Computación: notebook, computadora, compu, laptop, mouse, teclado, monitor, impresora, tablet
    Audio y TV: auriculares, parlante, televisor, tele, smart tv, consola, playstation, joystick
Hogar: hogar, depto, ambiente, decoración del hogar
    Muebles: sillón, mesa, silla, placard, cama, colchón, escritorio, estante, rack, cómoda
    Cocina: heladera, horno, microondas, cafetera, pava eléctrica, licuadora, sartén, ollas, vajilla
    Decoración: cortina, almohadón, alfombra, lámpara, cuadro, espejo, sábanas, acolchado
Alimentos: comida, alimento, almacén, súper
    Almacén: yerba, fideos, arroz, aceite, harina, azúcar, galletitas, mate, dulce de leche
    Bebidas: gaseosa, agua mineral, vino, cerveza, fernet, jugo, soda, birra
    Frescos: carne, pollo, verdura, fruta, fiambre, queso, leche, huevos, facturas
Belleza: belleza, cosmética, skincare
    Maquillaje: labial, base de maquillaje, máscara de pestañas, rímel, delineador, sombra, rubor, maquillaje
    Cuidado de la piel: crema, protector solar, serum, hidratante, limpiador, exfoliante, tónico
    Perfumes: perfume, fragancia, colonia, desodorante, body splash
    Cabello: shampoo, acondicionador, tintura, planchita, secador, keratina, alisado
""",
    "services": """
Salud: salud, obra social, prepaga
    Turnos médicos: turno, médico, doctor, clínica, guardia, especialista, receta
    Odontología: dentista, odontólogo, ortodoncia, brackets, muela, caries, implante
    Estética: depilación, masajes, manicura, uñas, pestañas, cejas, peluquería, corte de pelo
Reparaciones: arreglo, reparación, presupuesto, visita técnica
    Plomería: plomero, caño, pérdida, canilla, inodoro, termotanque, cloaca, destapación
    Electricidad: electricista, enchufe, cortocircuito, tablero, cableado, disyuntor, térmica
    Climatización: aire acondicionado, split, calefactor, estufa, caldera, calefacción
    Mudanzas y fletes: mudanza, flete, camioneta, embalaje, traslado, cajas, mudarme
Autos: auto, coche, vehículo, camioneta, moto
    Mecánica: mecánico, taller, service, cambio de aceite, frenos, embrague, batería, cubiertas
    Seguros: seguro, póliza, cobertura, siniestro, franquicia, granizo, terceros completo
    Trámites: vtv, patente, transferencia del auto, cédula verde, cédula azul, registro, licencia
Finanzas: banco, plata, finanzas
    Préstamos: préstamo, crédito, tasa, financiación, refinanciar, adelanto
    Cuentas y tarjetas: tarjeta, cuenta bancaria, homebanking, débito, resumen, cbu, alias, cajero
Viajes: viaje, viajar, vacaciones, turismo
    Pasajes: pasaje, vuelo, micro, aéreo, escala, equipaje, valija, aeropuerto
    Alojamiento: hotel, hostel, cabaña, reserva, habitación, airbnb, alojamiento
    Paquetes: paquete, excursión, all inclusive, bariloche, crucero, temporada
""",
    "education": """
Cursos: curso, taller, capacitación, clase
    Idiomas: inglés, portugués, italiano, francés, alemán, idioma, conversación, first
    Programación: programación, python, javascript, desarrollo web, datos, excel, diseño ux
    Oficios: gastronomía, cocina, barbería, soldadura, carpintería, electricidad, plomería
    Marketing: marketing, redes sociales, community manager, publicidad, ventas, emprendimiento
Niveles: nivel, escuela, estudiar
    Inicial y primaria: jardín, sala de, primaria, grado, maestra, útiles, guardapolvo
    Secundaria: secundaria, colegio, secundario, materias, previas, bachiller, plan fines
    Universidad: universidad, facultad, carrera, cbc, ingreso, tesis, posgrado, licenciatura
Inscripción: inscripción, inscribir, anotarme, anotar
    Vacantes y requisitos: vacante, cupo, requisitos, documentación, matrícula, preinscripción
    Cuotas y becas: cuota, arancel, beca, mensualidad, descuento por hermano, financiación
    Certificados: certificado, título, constancia, analítico, diploma, legalización
Modalidad: modalidad, cursada, cursar
    Presencial: presencial, sede, aula, turno mañana, turno tarde, turno noche
    Online: online, virtual, campus, zoom, clases grabadas, a distancia, plataforma
""",
}

# kind -> primary -> (its keywords, {secondary: keywords})
Tree = dict[str, tuple[str, dict[str, str]]]


def _parse(text: str) -> Tree:
    parsed: Tree = {}
    primary = ""
    for line in text.strip("\n").splitlines():
        name, keywords = (part.strip() for part in line.split(":", 1))
        if line.startswith(" "):
            parsed[primary][1][name] = keywords
        else:
            primary = name
            parsed[primary] = (keywords, {})
    return parsed


DEFAULTS: dict[str, Tree] = {kind: _parse(text) for kind, text in _DEFAULT_TEXT.items()}


def clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationError({"name": _("Write the category's name.")})
    if len(cleaned) > MAX_NAME:
        raise ValidationError({"name": _("At most %(max)d characters.") % {"max": MAX_NAME}})
    return cleaned


def clean_keywords(raw: str) -> str:
    """Comma-separated keywords: trimmed, lowercased, repeats dropped, checked for length."""
    keywords = interests.split_keywords(raw)
    if len(keywords) > MAX_KEYWORDS:
        raise ValidationError({"keywords": _("At most %(max)d keywords.") % {"max": MAX_KEYWORDS}})
    long = [keyword for keyword in keywords if len(keyword) > MAX_KEYWORD]
    if long:
        raise ValidationError(
            {"keywords": _("A keyword is too long: %(keyword)s") % {"keyword": long[0][:MAX_KEYWORD]}}
        )
    return ", ".join(keywords)


def get_category(account: Account, category_id: int) -> Category | None:
    return Category.objects.for_account(account).filter(id=category_id).first()


def _name_taken(account: Account, parent: Category | None, name: str, exclude: int | None) -> bool:
    siblings = Category.objects.for_account(account).filter(parent=parent, name__iexact=name)
    if exclude is not None:
        siblings = siblings.exclude(id=exclude)
    return siblings.exists()


def save_category(
    account: Account,
    category: Category | None,
    *,
    name: str,
    keywords: str,
    parent: Category | None = None,
) -> Category:
    """Create a category (under ``parent``, a primary of the account) or rename ``category`` and
    replace its keywords. Raises ValidationError for bad input, never writes half."""
    if category is not None and category.account_id != account.id:
        raise ValueError("a category of another account")
    if category is not None:
        parent = category.parent
    if parent is not None and (parent.account_id != account.id or parent.parent_id is not None):
        raise ValidationError({"parent": _("Secondary categories go under a primary one.")})
    name, keywords = clean_name(name), clean_keywords(keywords)
    if _name_taken(account, parent, name, category.id if category else None):
        raise ValidationError(
            {"name": _("There is already a category called %(name)s here.") % {"name": name}}
        )
    if category is None:
        last = Category.objects.for_account(account).filter(parent=parent).aggregate(Max("position"))
        category = Category(account=account, parent=parent, position=(last["position__max"] or 0) + 1)
    category.name, category.keywords = name, keywords
    try:
        with transaction.atomic():
            if category.pk is None:
                category.save()
            else:
                category.save(update_fields=["name", "keywords"])
    except IntegrityError as error:  # the same name saved by someone else a moment ago
        raise ValidationError(
            {"name": _("There is already a category called %(name)s here.") % {"name": name}}
        ) from error
    changed(account)
    return category


def delete_category(category: Category) -> int:
    """Delete the category with its secondaries and their interests; returns how many went."""
    account = category.account
    doomed = Category.objects.for_account(account).filter(id=category.id)
    count = Category.objects.for_account(account).filter(parent_id=category.id).count() + 1
    doomed.delete()
    changed(account)
    return count


def load_defaults(account: Account, kind: str) -> int:
    """Add the defaults of ``kind`` the account lacks (names compared without case); keeps what
    exists, keywords included. Returns how many categories it added. Safe to run twice."""
    if kind not in DEFAULTS:
        raise ValidationError({"kind": _("Choose a kind of business.")})
    added = 0
    with transaction.atomic():
        existing = {
            (row.parent_id, row.name.lower()): row
            for row in Category.objects.for_account(account).select_for_update()
        }
        position = max((row.position for row in existing.values()), default=0)
        for primary_name, (primary_keywords, secondaries) in DEFAULTS[kind].items():
            primary = existing.get((None, primary_name.lower()))
            if primary is None:
                position += 1
                primary = Category.objects.create(
                    account=account,
                    name=primary_name,
                    keywords=clean_keywords(primary_keywords),
                    position=position,
                )
                added += 1
            for index, (name, keywords) in enumerate(secondaries.items(), start=1):
                if (primary.id, name.lower()) not in existing:
                    Category.objects.create(
                        account=account,
                        parent=primary,
                        name=name,
                        keywords=clean_keywords(keywords),
                        position=index,
                    )
                    added += 1
    if added:
        changed(account)
    return added


def tree(account: Account) -> list[tuple[Category, list[Category]]]:
    """The primaries in order, each with its secondaries."""
    categories = list(Category.objects.for_account(account))
    children: dict[int, list[Category]] = {}
    for category in categories:
        if category.parent_id is not None:
            children.setdefault(category.parent_id, []).append(category)
    return [(c, children.get(c.id, [])) for c in categories if c.parent_id is None]


def changed(account: Account) -> None:
    """The taxonomy changed: forget the compiled matcher, recount interests after commit."""
    from empaty.tasks import rematch_interests  # the tasks module imports this one

    interests.forget(account)
    transaction.on_commit(lambda: rematch_interests.delay(account.id))
