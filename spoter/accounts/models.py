"""Tenants (accounts) and the people in them."""

from __future__ import annotations

import zoneinfo
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, AnonymousUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spoter.accounts.scoping import ScopedManager, ScopedQuerySet

DEFAULT_TIME_ZONE = "America/Argentina/Buenos_Aires"


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("users need an email")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        return self.create_user(email, password, is_staff=True, is_superuser=True, **extra)


class User(AbstractUser):
    """A person. The email is the identity; one person may belong to several accounts."""

    username = None  # type: ignore[assignment]  # the email replaces it
    email = models.EmailField(_("email"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]  # email, not username

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    SUPERVISOR = "supervisor", _("Supervisor")
    OPERATOR = "operator", _("Operator")

    @property
    def rank(self) -> int:
        return {"operator": 1, "supervisor": 2, "admin": 3}[self.value]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


class InboxMode(models.TextChoices):
    SHARED = "shared", _("Shared: sees every chat")
    PRIVATE = "private", _("Private: only chats assigned to them")


class MfaPolicy(models.TextChoices):
    OPTIONAL = "optional", _("Optional for everyone")
    ADMINS = "admins", _("Required for admins")
    STAFF = "staff", _("Required for admins and supervisors")


# The accounts' countries (ISO 3166): Latin America first, then where our customers' customers call from.
COUNTRIES = [
    ("AR", _("Argentina")),
    ("BO", _("Bolivia")),
    ("BR", _("Brazil")),
    ("CL", _("Chile")),
    ("CO", _("Colombia")),
    ("CR", _("Costa Rica")),
    ("DO", _("Dominican Republic")),
    ("EC", _("Ecuador")),
    ("SV", _("El Salvador")),
    ("GT", _("Guatemala")),
    ("HN", _("Honduras")),
    ("MX", _("Mexico")),
    ("NI", _("Nicaragua")),
    ("PA", _("Panama")),
    ("PY", _("Paraguay")),
    ("PE", _("Peru")),
    ("UY", _("Uruguay")),
    ("VE", _("Venezuela")),
    ("ES", _("Spain")),
    ("US", _("United States")),
]


class Account(models.Model):
    """The tenant. Every row of business data belongs to exactly one account."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=DEFAULT_TIME_ZONE, validators=[validate_time_zone]
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # Where phone numbers written without a country code are read (audience.phones).
    country = models.CharField(_("country"), max_length=2, choices=COUNTRIES, default="AR")
    mfa_policy = models.CharField(
        _("two-factor authentication"),
        max_length=10,
        choices=MfaPolicy.choices,
        default=MfaPolicy.OPTIONAL,
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name

    def requires_mfa(self, role: Role) -> bool:
        if self.mfa_policy == MfaPolicy.ADMINS:
            return role == Role.ADMIN
        if self.mfa_policy == MfaPolicy.STAFF:
            return role.at_least(Role.SUPERVISOR)
        return False


class MembershipQuerySet(ScopedQuerySet["Membership"]):
    def for_user(self, user: User | AnonymousUser) -> MembershipQuerySet:
        if not user.is_authenticated:
            return self.none()._mark_scoped()
        """A user's own memberships across accounts: scoped by the user instead."""
        return self.filter(user_id=user.pk, is_active=True)._mark_scoped()


class Membership(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.OPERATOR)
    inbox_mode = models.CharField(
        _("inbox"), max_length=10, choices=InboxMode.choices, default=InboxMode.SHARED
    )
    available = models.BooleanField(_("available for auto-assignment"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager.from_queryset(MembershipQuerySet)()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "user"], name="membership_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.account} ({self.role})"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class Invitation(models.Model):
    """An emailed link that lets a person set a password and join an account with a role."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.OPERATOR)
    inbox_mode = models.CharField(
        _("inbox"), max_length=10, choices=InboxMode.choices, default=InboxMode.SHARED
    )
    # Only a hash of the token is stored: a database leak does not leak working links.
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager["Invitation"]()

    class Meta:
        indexes: ClassVar = [models.Index(fields=["account", "email"])]
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} -> {self.account}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()
