"""The interest taxonomy (EMP-3): defaults, validation and the supervisors' settings page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from empaty.interests import observe, split_keywords
from empaty.models import Category, ContactInterest
from empaty.taxonomy import DEFAULTS, load_defaults, save_category
from tests.conftest import Team, client_for
from tests.empaty.test_interests import category, say


def names(team: Team) -> set[tuple[str | None, str]]:
    rows = Category.objects.for_account(team.account).select_related("parent")
    return {(row.parent.name if row.parent else None, row.name) for row in rows}


@pytest.mark.parametrize("kind", sorted(DEFAULTS))
def test_defaults_load_once_and_keep_what_exists(acme: Team, kind: str) -> None:
    primary = next(iter(DEFAULTS[kind]))
    mine = category(acme, primary.upper(), "mi palabra")  # the same primary, in other case
    added = load_defaults(acme.account, kind)
    assert added > 10
    assert load_defaults(acme.account, kind) == 0
    mine.refresh_from_db()
    assert mine.keywords == "mi palabra"
    assert mine.name == primary.upper()
    assert not Category.objects.for_account(acme.account).filter(name=primary).exists()
    for _keywords, secondaries in DEFAULTS[kind].values():
        for keywords in secondaries.values():
            assert 5 <= len(split_keywords(keywords)) <= 15


def test_validation(acme: Team) -> None:
    shoes = save_category(acme.account, None, name="  Calzado ", keywords=" Zapatillas , zapatillas,, BOTAS ")
    assert shoes.name == "Calzado"
    assert shoes.keywords == "zapatillas, botas"
    with pytest.raises(ValidationError, match="name"):
        save_category(acme.account, None, name="   ", keywords="")
    with pytest.raises(ValidationError):
        save_category(acme.account, None, name="calzado", keywords="")  # taken, whatever the case
    child = save_category(acme.account, None, name="Calzado", keywords="", parent=shoes)  # another parent
    with pytest.raises(ValidationError):
        save_category(acme.account, None, name="Botas", keywords="", parent=child)  # no third level
    with pytest.raises(ValidationError):
        save_category(acme.account, None, name="x" * 81, keywords="")


def test_supervisors_edit_the_tree(acme: Team, django_capture_on_commit_callbacks, english: None) -> None:
    client = client_for(acme.supervisor)
    base = reverse("empaty_taxonomy", args=[acme.account.slug])
    with django_capture_on_commit_callbacks() as queued:
        assert client.post(base, {"name": "Mascotas", "keywords": "perro, gato"}).status_code == 302
    assert len(queued) == 1  # a recount of the interests
    pets = Category.objects.for_account(acme.account).get(name="Mascotas")
    assert (
        client.post(base, {"name": "Alimento", "keywords": "balanceado", "parent": pets.id}).status_code
        == 302
    )
    response = client.post(base, {"name": "alimento", "parent": pets.id})
    assert response.status_code == 400
    assert "There is already a category called alimento here." in response.content.decode()
    assert client.post(base, {"name": "", "keywords": "x"}).status_code == 400
    edit = reverse("empaty_taxonomy_edit", args=[acme.account.slug, pets.id])
    assert client.post(edit, {"name": "Mascotas y animales", "keywords": "Perro; GATO"}).status_code == 302
    pets.refresh_from_db()
    assert (pets.name, pets.keywords) == ("Mascotas y animales", "perro, gato")
    page = client.get(base).content.decode()
    assert "Mascotas y animales" in page
    assert "balanceado" in page


def test_deleting_a_primary_asks_and_takes_its_secondaries_and_interests(acme: Team, english: None) -> None:
    pets = category(acme, "Mascotas", "perro")
    category(acme, "Alimento", "balanceado", pets)
    message = say(acme, "balanceado para perro")
    observe(acme.account, [message])
    url = reverse("empaty_taxonomy_delete", args=[acme.account.slug, pets.id])
    client = client_for(acme.admin)
    confirm = client.get(url)
    assert "Alimento" in confirm.content.decode()
    assert client.post(url).status_code == 302
    assert not Category.objects.for_account(acme.account).exists()
    assert not ContactInterest.objects.for_account(acme.account).exists()


def test_loading_defaults_from_the_page(acme: Team) -> None:
    url = reverse("empaty_taxonomy_defaults", args=[acme.account.slug])
    client = client_for(acme.supervisor)
    assert client.post(url, {"kind": "nope"}).status_code == 400
    assert client.post(url, {"kind": "education"}).status_code == 302
    assert ("Cursos", "Idiomas") in names(acme)


def test_operators_cannot_edit(acme: Team) -> None:
    url = reverse("empaty_taxonomy", args=[acme.account.slug])
    assert client_for(acme.operator).post(url, {"name": "X"}).status_code == 403
    assert not Category.objects.for_account(acme.account).exists()


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    theirs = category(globex, "Mascotas", "perro")
    client = client_for(acme.admin)
    for name in ("empaty_taxonomy_edit", "empaty_taxonomy_delete"):
        url = reverse(name, args=[acme.account.slug, theirs.id])
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "Mía"}).status_code == 404
    base = reverse("empaty_taxonomy", args=[acme.account.slug])
    assert client.post(base, {"name": "Hijo", "parent": theirs.id}).status_code == 400
    assert Category.objects.for_account(globex.account).get().name == "Mascotas"
    assert not Category.objects.for_account(acme.account).exists()
