"""Suggestions (金点子) and opinions on published drafts (立法联系点).

A ``Suggestion`` belongs to a node of the hierarchy (``node``: the district, street or
community it is about, the scoping key) and moves through the life cycle of
``choices.TRANSITIONS``; every move is a ``SuggestionStep`` of its timeline.

A ``Draft`` (a law or regulation put out for comments) belongs to the node that manages
it (``node``) and is sent to ``LiaisonPoint`` rows under that node; an ``Opinion`` is
one comment on a draft collected at one point, by a resident online or typed in by the
point's staff from paper.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.privacy.fields import EncryptedTextField
from wangge.suggestions.choices import (
    DraftState,
    OpinionState,
    SuggestionAction,
    SuggestionState,
    Topic,
)

#: A district, street or community (6, 9 or 12 digits) or anything below.
NODE_CODE = r"^[0-9]{6}([0-9]{3}){0,4}$"


class Suggestion(models.Model):
    """A resident's (or a worker's) idea for their place, and what became of it."""

    title = models.CharField(_("title"), max_length=100)
    content = models.TextField(_("content"))
    node = models.CharField(
        _("node"), max_length=18, help_text=_("The district, street or community it is about.")
    )
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=SuggestionState.choices,
        default=SuggestionState.SUBMITTED,
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )
    submitter_label = models.CharField(_("submitter (name)"), max_length=150, blank=True)
    #: The submitter's phone: encrypted at rest, shown masked.
    contact = EncryptedTextField(_("contact phone"), blank=True, default="")
    anonymous = models.BooleanField(
        _("anonymous to the public"),
        default=False,
        help_text=_("Hide the submitter's name wherever the suggestion is shown to others."),
    )
    client_request_id = models.CharField(
        _("client request id"), max_length=64, blank=True, default=""
    )
    assigned_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("assigned department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_node = models.CharField(_("assigned node"), max_length=18, blank=True, default="")
    answer = models.TextField(_("reply"), blank=True)
    completion_note = models.TextField(_("completion note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-submitted_at", "-id"]
        permissions = [
            ("submit_suggestion", "Can submit suggestions"),
            ("handle_suggestion", "Can triage, answer and follow up suggestions"),
        ]
        indexes = [
            models.Index(fields=["state", "node"], name="suggestion_state_node_idx"),
            models.Index(fields=["node", "submitted_at"], name="suggestion_node_time_idx"),
            models.Index(fields=["assigned_node"], name="suggestion_assigned_node_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submitter", "client_request_id"],
                condition=~Q(client_request_id=""),
                name="suggestion_request_id_per_submitter",
            ),
            models.CheckConstraint(
                condition=Q(node__regex=NODE_CODE), name="suggestion_node_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.title}"

    @property
    def region_code(self) -> str:
        """The scoping key under the name audit rows and the leak checks look for."""
        return self.node


class SuggestionStep(models.Model):
    """One entry of a suggestion's timeline: who did what, from which state to which."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=SuggestionAction.choices)
    from_state = models.CharField(_("from state"), max_length=16, blank=True)
    to_state = models.CharField(_("to state"), max_length=16)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("suggestion step")
        verbose_name_plural = _("suggestion steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.suggestion_id} {self.action} {self.from_state}→{self.to_state}"


class LiaisonPoint(models.Model):
    """A legislative liaison point (基层立法联系点) where opinions on drafts are collected."""

    name = models.CharField(_("name"), max_length=100)
    node = models.CharField(_("node"), max_length=18, help_text=_("Where the point is."))
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    #: The contact person's phone: encrypted at rest, shown masked.
    contact_phone = EncryptedTextField(_("contact phone"), blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("liaison point")
        verbose_name_plural = _("liaison points")
        ordering = ["node", "name", "id"]
        permissions = [("record_opinion", "Can record opinions collected at a liaison point")]
        indexes = [models.Index(fields=["node"], name="liaison_point_node_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(node__regex=NODE_CODE), name="liaison_node_format")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region_code(self) -> str:
        return self.node


class Draft(models.Model):
    """A draft law or regulation put out for comments, with a deadline."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text of the draft"))
    issuing_body = models.CharField(_("issuing body"), max_length=100)
    node = models.CharField(
        _("node"), max_length=18, help_text=_("The node that manages the collection.")
    )
    state = models.CharField(
        _("state"), max_length=16, choices=DraftState.choices, default=DraftState.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    points = models.ManyToManyField(
        LiaisonPoint, verbose_name=_("liaison points"), related_name="drafts", blank=True
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        ordering = ["-created_at", "-id"]
        permissions = [("manage_draft", "Can publish drafts and answer opinions")]
        indexes = [models.Index(fields=["node", "state"], name="draft_node_state_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(node__regex=NODE_CODE), name="draft_node_format")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def region_code(self) -> str:
        return self.node

    def is_open(self, now: object = None) -> bool:
        when = now or timezone.now()
        return self.state == DraftState.PUBLISHED and when < self.deadline  # type: ignore[operator]


class Opinion(models.Model):
    """One comment on a draft, collected at one liaison point."""

    draft = models.ForeignKey(
        Draft, verbose_name=_("draft"), on_delete=models.CASCADE, related_name="opinions"
    )
    point = models.ForeignKey(
        LiaisonPoint,
        verbose_name=_("liaison point"),
        on_delete=models.PROTECT,
        related_name="opinions",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="draft_opinions",
    )
    author_name = models.CharField(_("author (name)"), max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The point's staff who typed in an opinion collected on paper."),
    )
    article = models.CharField(_("article"), max_length=50, blank=True)
    content = models.TextField(_("content"))
    state = models.CharField(
        _("state"), max_length=16, choices=OpinionState.choices, default=OpinionState.PENDING
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    answer = models.TextField(_("reply"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    client_request_id = models.CharField(
        _("client request id"), max_length=64, blank=True, default=""
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["submitted_at", "id"]
        permissions = [("submit_opinion", "Can comment on published drafts")]
        indexes = [
            models.Index(fields=["draft", "point", "state"], name="opinion_draft_point_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["draft", "recorded_by", "client_request_id"],
                condition=~Q(client_request_id=""),
                name="opinion_request_id_per_recorder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.draft_id} {self.point_id} {self.author_name}"

    @property
    def region_code(self) -> str:
        return self.point.node
