"""EMPATY's data (EMP-1 to EMP-5): what each inbound message says, what we learnt of each contact,
the account's interest taxonomy, communities and negative-streak alerts."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audience.models import Contact
from inbox.models import Conversation, Line, Message
from spoter.accounts.models import Account, Membership
from spoter.accounts.scoping import ScopedManager


class Polarity(models.TextChoices):
    POSITIVE = "positive", _("positive")
    NEUTRAL = "neutral", _("neutral")
    NEGATIVE = "negative", _("negative")


class Emotion(models.TextChoices):
    JOY = "joy", _("joy")
    SADNESS = "sadness", _("sadness")
    ANGER = "anger", _("anger")
    FEAR = "fear", _("fear")
    SURPRISE = "surprise", _("surprise")
    DISGUST = "disgust", _("disgust")
    OTHERS = "others", _("no emotion")


class MessageAnalysis(models.Model):
    """One inbound message's polarity and emotion (EMP-1). ``polarity``/``emotion`` are what the
    model (with the account's adjustment) said; an operator's correction, when there is one, wins
    everywhere it is shown and counted (``final_polarity``/``final_emotion``)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="analysis")
    # Copies of the message's context, so dashboards group without joining messages.
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="message_analyses")
    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="+")
    operator = models.ForeignKey(  # the conversation's assignee when the message arrived
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()  # when the customer wrote it
    polarity = models.CharField(max_length=8, choices=Polarity.choices)
    score = models.FloatField()  # P(positive) - P(negative), in [-1, 1]
    emotion = models.CharField(max_length=8, choices=Emotion.choices)
    # per head ("polarity", "emotion"), each label's probability
    probabilities = models.JSONField(default=dict)
    model_version = models.CharField(max_length=40)
    adjusted = models.BooleanField(default=False)  # the account's corrections took part
    corrected_polarity = models.CharField(max_length=8, choices=Polarity.choices, blank=True)
    corrected_emotion = models.CharField(max_length=8, choices=Emotion.choices, blank=True)
    corrected_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    corrected_at = models.DateTimeField(null=True, blank=True)
    analysed_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["MessageAnalysis"]()

    class Meta:
        indexes = [
            models.Index(fields=["account", "at"], name="empaty_analysis_account_at"),
            models.Index(fields=["contact", "at"], name="empaty_analysis_contact_at"),
            models.Index(fields=["conversation", "at"], name="empaty_analysis_conv_at"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id}: {self.final_polarity}/{self.final_emotion}"

    @property
    def final_polarity(self) -> str:
        return self.corrected_polarity or self.polarity

    @property
    def final_emotion(self) -> str:
        return self.corrected_emotion or self.emotion


class AccountAdjustment(models.Model):
    """An account's own correction of the shared model, learnt from its operators' corrections
    and used for that account only: sparse weight deltas per head, ``{"polarity": {feature:
    [delta per class]}, "emotion": {...}}``, plus the corrected texts themselves."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="empaty_adjustment")
    weights = models.JSONField(default=dict)
    corrections = models.PositiveIntegerField(default=0)
    model_version = models.CharField(max_length=40, blank=True)
    trained_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager["AccountAdjustment"]()

    def __str__(self) -> str:
        return f"{self.account_id}: {self.corrections} corrections"


class ProfileField(models.TextChoices):
    NAME = "name", _("name")
    NICKNAME = "nickname", _("nickname")
    PHONE = "phone", _("phone")
    DNI = "dni", _("DNI")
    AGE = "age", _("age")
    AGE_RANGE = "age_range", _("age range")
    RESIDENCE = "residence", _("place of residence")
    FAMILY = "family", _("family situation")
    WORK = "work", _("work situation")
    INCOME = "income", _("income level")


class SuggestionState(models.TextChoices):
    PENDING = "pending", _("to review")
    CONFIRMED = "confirmed", _("confirmed")
    REJECTED = "rejected", _("rejected")


class ProfileSuggestion(models.Model):
    """A personal datum found in a message (EMP-2), waiting for an operator to confirm it."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="profile_suggestions")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")  # provenance
    field = models.CharField(max_length=10, choices=ProfileField.choices)
    value = models.CharField(max_length=200)  # normalised: "Córdoba", "35", "30-39", "casado/a"
    excerpt = models.CharField(max_length=200, blank=True)  # the words it was read from
    state = models.CharField(max_length=10, choices=SuggestionState.choices, default=SuggestionState.PENDING)
    decided_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["ProfileSuggestion"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "field", "value"], name="empaty_suggestion_once"),
        ]

    def __str__(self) -> str:
        return f"{self.field}={self.value}"


class ContactProfile(models.Model):
    """The confirmed personal data that has no column on Contact (name, nickname, DNI go there)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="empaty_profile")
    other_phone = models.CharField(_("other phone"), max_length=20, blank=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    age_range = models.CharField(_("age range"), max_length=10, blank=True)
    residence = models.CharField(_("place of residence"), max_length=120, blank=True)
    family = models.CharField(_("family situation"), max_length=120, blank=True)
    work = models.CharField(_("work situation"), max_length=120, blank=True)
    income = models.CharField(_("income level"), max_length=120, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["ContactProfile"]()

    def __str__(self) -> str:
        return str(self.contact_id)


class Category(models.Model):
    """A node of the account's interest taxonomy (EMP-3): primary when it has no parent,
    secondary under a primary. ``keywords`` are matched against conversations."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="empaty_categories")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(_("name"), max_length=80)
    keywords = models.TextField(_("keywords"), blank=True)  # comma-separated
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["Category"]()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "name"], condition=Q(parent=None), name="empaty_primary_name"
            ),
            models.UniqueConstraint(fields=["account", "parent", "name"], name="empaty_secondary_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ContactInterest(models.Model):
    """How much a contact talks about a category, and when they last did."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="interests")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="interests")
    mentions = models.PositiveIntegerField(default=0)
    strength = models.FloatField(default=0.0)  # in [0, 1], decays with time
    last_seen_at = models.DateTimeField()

    objects = ScopedManager["ContactInterest"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "category"], name="empaty_interest_once"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.category_id} {self.strength:.2f}"


class JobState(models.TextChoices):
    PENDING = "pending", _("waiting")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class CommunityRun(models.Model):
    """One computation of an account's communities (EMP-4); the newest finished one is shown."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=8, choices=JobState.choices, default=JobState.PENDING)
    contacts = models.PositiveIntegerField(default=0)  # contacts considered
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager["CommunityRun"]()

    def __str__(self) -> str:
        return f"{self.account_id}: {self.state}"


class Community(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(CommunityRun, on_delete=models.CASCADE, related_name="communities")
    name = models.CharField(_("name"), max_length=120)
    terms = models.JSONField(default=list)  # the defining terms, strongest first
    size = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict)  # emotions, polarity, interests of its members
    contacts: models.ManyToManyField[Contact, CommunityMember] = models.ManyToManyField(
        Contact, through="CommunityMember", related_name="communities"
    )

    objects = ScopedManager["Community"]()

    class Meta:
        ordering = ["-size", "id"]

    def __str__(self) -> str:
        return self.name


class CommunityMember(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="members")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="community_links")

    objects = ScopedManager["CommunityMember"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "contact"], name="empaty_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.community_id}: {self.contact_id}"


class StreakAlert(models.Model):
    """Supervisors were told that a conversation had a streak of negative messages (EMP-5); one
    alert per streak, the streak known by its first message."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    first_message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    length = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager["StreakAlert"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "first_message"], name="empaty_streak_once"),
        ]
        indexes = [models.Index(fields=["account", "-created_at"], name="empaty_streak_recent")]

    def __str__(self) -> str:
        return f"{self.conversation_id}: {self.length}"
