from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import Department
from wangge.events.choices import (
    DEFAULT_DUPLICATE_RADIUS_M,
    AttachmentKind,
    CalendarDayKind,
    EventAction,
    EventSource,
    EventState,
    ExtensionState,
    FollowVia,
    HandlingLevel,
    PartState,
    Priority,
    Satisfaction,
    TimeUnit,
)
from wangge.privacy.fields import EncryptedTextField


class Category(models.Model):
    """One entry of the event catalogue (事件分类, GB/T 30428 plus grid practice).

    Top-level entries group sub-categories; events always carry a sub-category,
    whose default department, time limits and conditions apply to them.
    """

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=64)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    default_department_code = models.SlugField(
        _("default department code"),
        max_length=32,
        blank=True,
        help_text=_(
            "Code of the department events of this type go to (per district); empty for none."
        ),
    )
    accept_limit = models.PositiveIntegerField(_("acceptance time limit"), default=2)
    accept_unit = models.CharField(
        _("acceptance limit unit"),
        max_length=16,
        choices=TimeUnit.choices,
        default=TimeUnit.WORKING_HOURS,
    )
    handle_limit = models.PositiveIntegerField(_("handling time limit"), default=3)
    handle_unit = models.CharField(
        _("handling limit unit"),
        max_length=16,
        choices=TimeUnit.choices,
        default=TimeUnit.WORKING_DAYS,
    )
    register_condition = models.TextField(_("registration condition"), blank=True)
    close_condition = models.TextField(_("closure condition"), blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    admitted = models.BooleanField(
        _("on the admission list"),
        default=True,
        help_text=_("Only admitted (准入清单) types can be registered and dispatched."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    duplicate_radius_m = models.PositiveIntegerField(
        _("duplicate detection radius (m)"),
        default=DEFAULT_DUPLICATE_RADIUS_M,
        help_text=_(
            "Open events of this type within this distance are offered as possible "
            "duplicates; 0 turns detection off."
        ),
    )

    class Meta:
        verbose_name = _("event category")
        verbose_name_plural = _("event categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        if self.parent_id is not None and self.parent is not None:
            return f"{self.parent.name} › {self.name}"
        return self.name


class WorkCalendarDay(models.Model):
    """A date that differs from the Monday–Friday rule: a holiday or an adjusted working day."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("work calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class EventNumberSequence(models.Model):
    """Per district and day counter behind tracking numbers (4407042026112100001)."""

    key = models.CharField(max_length=14, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("event number sequence")

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"


class Event(models.Model):
    """A reported problem (事件/工单) and where it stands in its life cycle."""

    number = models.CharField(_("tracking number"), max_length=24, unique=True)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"))
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="events"
    )
    source = models.CharField(_("source"), max_length=16, choices=EventSource.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=EventState.choices, default=EventState.REPORTED
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    region_code = models.CharField(_("region code"), max_length=18, db_index=True)
    grid_code = models.CharField(_("grid code"), max_length=15)
    district_code = models.CharField(_("district code"), max_length=6)
    lng = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_events",
    )
    #: The reporter's phone: encrypted at rest, shown masked.
    reporter_contact = EncryptedTextField(_("reporter contact"), blank=True, default="")
    client_request_id = models.CharField(
        _("client request id"), max_length=64, blank=True, default=""
    )
    level = models.CharField(
        _("handling level"),
        max_length=16,
        choices=HandlingLevel.choices,
        default=HandlingLevel.STREET,
    )
    current_department = models.ForeignKey(
        Department,
        verbose_name=_("current department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    accept_due = models.DateTimeField(_("acceptance due"), null=True, blank=True)
    handle_due = models.DateTimeField(_("handling due"), null=True, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False)
    overdue_at = models.DateTimeField(_("flagged overdue at"), null=True, blank=True)
    supervise_count = models.PositiveIntegerField(_("times supervised"), default=0)
    rework_count = models.PositiveIntegerField(_("times reworked"), default=0)
    self_handled = models.BooleanField(_("handled by the grid worker"), default=False)
    forced = models.BooleanField(_("force-dispatched"), default=False)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    satisfaction = models.CharField(
        _("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    #: Hide the reporter from public views (Open311, the residents' portal); staff still see
    #: the contact, masked.
    anonymous = models.BooleanField(_("anonymous to the public"), default=False)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    visited_at = models.DateTimeField(_("return visit at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-reported_at", "-id"]
        permissions = [
            ("report_event", "Can report events"),
            ("self_handle_event", "Can close an event of one's own grid on the spot"),
            ("dispatch_event", "Can register, dispatch and decide on events (command centre)"),
            ("handle_event", "Can accept and handle events dispatched to one's department"),
            ("verify_event", "Can verify handled events on site"),
            ("visit_event", "Can record return visits"),
            ("escalate_event", "Can escalate events to the next level"),
            ("supervise_event", "Can supervise (督办) events"),
        ]
        indexes = [
            models.Index(fields=["state", "region_code"], name="event_state_region_idx"),
            models.Index(fields=["current_department", "state"], name="event_dept_state_idx"),
            models.Index(fields=["district_code", "reported_at"], name="event_district_time_idx"),
            models.Index(fields=["overdue", "state"], name="event_overdue_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "client_request_id"],
                condition=~Q(client_request_id=""),
                name="event_request_id_per_reporter",
            ),
            models.CheckConstraint(
                condition=Q(region_code__regex=r"^[0-9]{15}([0-9]{3})?$"),
                name="event_region_code_grid_or_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def handler_code(self) -> str:
        """Code of the node responsible at the event's handling level."""
        from wangge.events.choices import LEVEL_CODE_LENGTH

        return self.region_code[: LEVEL_CODE_LENGTH[self.level]]


class EventStep(models.Model):
    """One entry of an event's timeline: who did what, from which state to which."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="steps")
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
    action = models.CharField(_("action"), max_length=32, choices=EventAction.choices)
    from_state = models.CharField(_("from state"), max_length=16, blank=True)
    to_state = models.CharField(_("to state"), max_length=16)
    note = models.TextField(_("note"), blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("event step")
        verbose_name_plural = _("event steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.action} {self.from_state}→{self.to_state}"


class EventFollower(models.Model):
    """A user who follows an event they did not report: joined it (附议) or was merged in."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="followed_events",
    )
    via = models.CharField(_("how"), max_length=16, choices=FollowVia.choices)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)
    client_request_id = models.CharField(
        _("client request id"), max_length=64, blank=True, default=""
    )

    class Meta:
        verbose_name = _("event follower")
        verbose_name_plural = _("event followers")
        ordering = ["event", "joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="event_follower_once"),
        ]
        indexes = [
            models.Index(fields=["user", "event"], name="event_follower_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.user_id} {self.via}"


class EventPart(models.Model):
    """A department's share of a summoned event (吹哨报到)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="parts")
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="event_parts",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=PartState.choices, default=PartState.SUMMONED
    )
    task = models.CharField(_("assigned task"), max_length=200, blank=True)
    note = models.TextField(_("result"), blank=True)
    summoned_at = models.DateTimeField(_("summoned at"), default=timezone.now)
    reported_in_at = models.DateTimeField(_("reported in at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("event part")
        verbose_name_plural = _("event parts")
        ordering = ["event", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "department"], name="event_part_per_department"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.department_id} {self.state}"


class ExtensionRequest(models.Model):
    """A department asks for more time (延期) before the handling deadline."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="extensions")
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount = models.PositiveIntegerField(_("extra time"))
    unit = models.CharField(_("unit"), max_length=16, choices=TimeUnit.choices)
    reason = models.TextField(_("reason"))
    state = models.CharField(
        _("state"), max_length=16, choices=ExtensionState.choices, default=ExtensionState.PENDING
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    old_due = models.DateTimeField(_("previous deadline"), null=True, blank=True)
    new_due = models.DateTimeField(_("new deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["event", "id"]

    def __str__(self) -> str:
        return f"{self.event_id} +{self.amount} {self.unit} {self.state}"


class ReturnVisit(models.Model):
    """The return visit (回访) after closure: was the reporter reached, is it solved, how satisfied."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="return_visit")
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contacted = models.BooleanField(_("reporter reached"))
    solved = models.BooleanField(_("problem solved"))
    satisfaction = models.CharField(
        _("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    visited_at = models.DateTimeField(_("visited at"), default=timezone.now)

    class Meta:
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")

    def __str__(self) -> str:
        return f"{self.event_id} {self.satisfaction}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """``attachments/<yyyy>/<mm>/<random>.<ext>``: nothing of the uploader's file name is kept."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"attachments/{timezone.localtime():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class Attachment(models.Model):
    """A photo of an event, re-encoded without its metadata; the original is not kept.

    An upload starts unattached (``event`` empty) and is claimed by the report or
    transition that names its id.  The place and time the camera recorded (EXIF)
    are kept here, server-side only: the served file carries no metadata.
    """

    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    step = models.ForeignKey(
        EventStep,
        verbose_name=_("timeline step"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="photos",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    content_type = models.CharField(_("content type"), max_length=32)
    size = models.PositiveIntegerField(_("size in bytes"))
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    sha256 = models.CharField(_("SHA-256 of the stored file"), max_length=64)
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    gps_lng = models.FloatField(_("photo longitude (EXIF)"), null=True, blank=True)
    gps_lat = models.FloatField(_("photo latitude (EXIF)"), null=True, blank=True)
    taken_at = models.DateTimeField(_("photo taken at (EXIF)"), null=True, blank=True)
    #: The phone's id for the upload: the same id from the same uploader stores one photo.
    client_request_id = models.CharField(
        _("client request id"), max_length=64, blank=True, default=""
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["uploader", "event"], name="attachment_uploader_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["uploader", "client_request_id"],
                condition=~Q(client_request_id=""),
                name="attachment_request_id_per_uploader",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.kind} {self.event_id or '-'}"
