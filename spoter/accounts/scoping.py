"""The second wall of tenancy: querysets that refuse to run without an account.

``Model.objects.for_account(account)`` is the way in. Reverse managers reached from an Account
instance (``account.memberships``) are scoped by construction. Anything else raises
``UnscopedQueryError`` when evaluated; code that really spans accounts (platform admin, periodic
jobs) says so with ``.unscoped()`` and a comment why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.db import models

if TYPE_CHECKING:
    from spoter.accounts.models import Account

M = TypeVar("M", bound=models.Model)


class UnscopedQueryError(RuntimeError):
    pass


_SCOPED = "spoter_account_scoped"


class ScopedQuerySet(models.QuerySet[M]):
    def for_account(self, account: Account) -> Self:
        return self.filter(account=account)._mark_scoped()

    def unscoped(self) -> Self:
        """Cross-account access; callers must say why in a comment."""
        return self.all()._mark_scoped()

    def _mark_scoped(self) -> Self:
        # Kept on the SQL query object, which Django copies into every chained queryset.
        setattr(self.query, _SCOPED, True)
        return self

    def _check_scope(self) -> None:
        if not getattr(self.query, _SCOPED, False):
            raise UnscopedQueryError(
                f"{self.model.__name__} query without an account: use .for_account(account)."
            )

    def _fetch_all(self) -> None:
        self._check_scope()
        super()._fetch_all()

    def count(self) -> int:
        self._check_scope()
        return super().count()

    def exists(self) -> bool:
        self._check_scope()
        return super().exists()

    def update(self, **kwargs: Any) -> int:
        self._check_scope()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._check_scope()
        return super().delete()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def iterator(self, chunk_size: int | None = None) -> Any:
        self._check_scope()
        return super().iterator(chunk_size=chunk_size)


class ScopedManager(models.Manager[M]):
    _queryset_class = ScopedQuerySet

    def get_queryset(self) -> ScopedQuerySet[M]:
        queryset = super().get_queryset()
        assert isinstance(queryset, ScopedQuerySet)  # noqa: S101 -- narrows the type for mypy
        # Django builds related managers as subclasses of this one; the reverse manager of an
        # Account instance (account.memberships) filters by that account, so it is scoped.
        field = getattr(self, "field", None)
        if field is not None and field.name == "account" and hasattr(self, "instance"):
            queryset._mark_scoped()
        return queryset

    def for_account(self, account: Account) -> ScopedQuerySet[M]:
        return self.get_queryset().for_account(account)

    def unscoped(self) -> ScopedQuerySet[M]:
        return self.get_queryset().unscoped()
