"""Plans as data: any shape of welfare plan, its tree, contents, schedules and indicators."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shinchoku.core.node_names import node_name
from shinchoku.core.values import parse_value
from shinchoku.covered import CoveredManager, CoveredQuerySet
from shinchoku.orgs.models import Department, Organization


class SdgGoal(models.Model):
    """One of the 17 Sustainable Development Goals, with its Japanese name."""

    number = models.PositiveSmallIntegerField(primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("SDG goal")
        verbose_name_plural = _("SDG goals")

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Plan(models.Model):
    """A welfare plan with its own level names and depth."""

    class Kind(models.TextChoices):
        ACTIVITY_PLAN = "activity_plan", _("Community welfare activity plan")
        ACTION_PLAN = "action_plan", _("Action plan")
        CITY_PLAN = "city_plan", _("Community welfare plan (municipality)")
        NATIONAL = "national_plan", _("National plan")
        PREFECTURAL = "prefectural_plan", _("Prefectural plan")
        OTHER = "other", _("Other plan")

    class Status(models.TextChoices):
        ACTIVE = "active", _("adopted")  # 策定済: the plan in force (or ended)
        DRAFT = "draft", _("draft")  # 策定中: the next plan being written; never public

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="plans")
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    first_fy = models.PositiveSmallIntegerField(_("first fiscal year"))
    last_fy = models.PositiveSmallIntegerField(_("last fiscal year"))
    philosophy = models.TextField(_("basic philosophy"), blank=True)
    level_names = models.JSONField(_("level names"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    # A plan of another body (the city, the prefecture, the nation) registered by this
    # organization so that its plans can name it (整合, 前計画, goals served): the body's name.
    # Blank for the organization's own plans. Registered plans have no rounds.
    owner_name = models.CharField(_("owner"), max_length=200, blank=True)
    # Optimistic concurrency: every save through the editor checks and raises this.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CoveredManager()

    class Meta:
        ordering = ["organization__name", "first_fy", "title"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.title

    @property
    def is_external(self) -> bool:
        """A plan of another body, registered here to be referred to."""
        return bool(self.owner_name)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def fiscal_years(self) -> list[int]:
        return list(range(self.first_fy, self.last_fy + 1))

    def delete(self, *args, **kwargs):
        """Delete the plan with its contents; links from other plans into it are left dangling."""
        with transaction.atomic():
            ContentGoal.objects.filter(content__node__plan=self).delete()
            Content.objects.filter(node__plan=self).delete()
            return super().delete(*args, **kwargs)

    def level_name(self, level: int) -> str:
        """Return the plan's own name for a 1-based level."""
        if 1 <= level <= len(self.level_names):
            return self.level_names[level - 1]
        return str(level)


class PlanRelation(models.Model):
    """This plan makes another concrete (具現化) or is kept consistent with it (整合).

    A reference by the other plan's slug: `other` is the plan found under that slug, or None when
    there is none (not loaded yet, or deleted). A link into another organization's plan changes
    nothing there and shows on that plan's pages only once it has accepted it (LinkAcceptance).
    """

    class Type(models.TextChoices):
        EMBODIES = "embodies", _("embodies")
        ALIGNED = "aligned", _("aligned with")
        PREVIOUS = "previous", _("previous plan")  # this plan continues the other (前計画)

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="relations")
    other = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="related_from"
    )
    other_slug = models.CharField(max_length=100)
    type = models.CharField(max_length=20, choices=Type.choices)
    order = models.PositiveIntegerField(default=0)

    objects = CoveredManager()

    class Meta:
        ordering = ["plan_id", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "other_slug", "type"], name="unique_plan_relation"
            )
        ]
        # A plan loaded after the plans naming it finds their references without a scan.
        indexes = [
            models.Index(
                fields=["other_slug"], condition=Q(other=None), name="relation_waiting_slug"
            )
        ]


class LinkAcceptance(models.Model):
    """A plan's decision on the links another organization's plan makes into it (受け入れ).

    Until its 管理者 accepts, the linking plan's relation and the contents serving its goals do
    not show on the plan's pages. Links within one organization need no decision.
    """

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="link_decisions")
    from_plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(auto_now=True)

    objects = CoveredManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "from_plan"], name="unique_link_acceptance")
        ]


class WelfareIssue(models.Model):
    """A 福祉課題 with the citizens' voices (市民の声) behind it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="welfare_issues")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    voices = models.JSONField(default=list)

    objects = CoveredManager()

    class Meta:
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="unique_welfare_issue")
        ]


class PreviousEvaluation(models.Model):
    """A row of the previous plan's evaluation table carried into this plan (前計画の評価).

    Columns as councils print them: 基本目標, 事業区分 (with its (n) sub-heading), 番号, 事業項目,
    その後の取組, 評価・課題, and a status such as 実施済 / 未実施 / 再検討, each kept exactly as
    written. Rows made from the previous plan's final evaluation name the item they come from.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="previous_evaluations")
    order = models.PositiveIntegerField(default=0)
    goal = models.CharField(max_length=300, blank=True)
    category = models.CharField(max_length=200, blank=True)
    subcategory = models.CharField(max_length=200, blank=True)  # the (n) sub-heading
    number = models.CharField(max_length=20, blank=True)  # 番号 as printed
    item = models.CharField(max_length=300)
    # The key of the item in the previous plan (前計画) this row evaluates, when known.
    source_key = models.CharField(max_length=100, blank=True)
    followup = models.TextField(blank=True)
    evaluation = models.TextField(blank=True)
    status = models.CharField(max_length=50, blank=True)

    objects = CoveredManager()

    class Meta:
        ordering = ["plan_id", "order", "id"]


class BusinessKind(models.Model):
    """A 種別 of business (市委託事業, 独自事業, …) as an organization writes it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="kinds")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["organization_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="unique_business_kind")
        ]

    def __str__(self) -> str:
        return self.name


class LineageTag(models.TextChoices):
    """How a record stands to the previous plan: 新規, 継続 or 充実・強化."""

    NEW = "新規", _("new")
    CONTINUED = "継続", _("continued")
    EXPANDED = "充実・強化", _("expanded")
    NONE = "", _("none")


class Node(models.Model):
    """A node of a plan's tree: a goal, a policy, a heading, an item…"""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    key = models.CharField(max_length=100)
    level = models.PositiveSmallIntegerField()
    order = models.PositiveIntegerField(default=0)
    # Position in a depth-first walk of the whole tree: lets one query return document order.
    seq = models.PositiveIntegerField(default=0, db_index=True)
    label = models.CharField(_("label"), max_length=50, blank=True)
    title = models.CharField(_("title"), max_length=500)
    subtitle = models.CharField(_("subtitle"), max_length=500, blank=True)
    departments = models.ManyToManyField(
        Department, blank=True, related_name="nodes", through="NodeDepartment"
    )
    kinds = models.ManyToManyField(
        BusinessKind, blank=True, related_name="nodes", through="NodeKind"
    )
    sdgs = models.ManyToManyField(SdgGoal, blank=True, related_name="nodes")
    # Lineage: the key of the node of the previous plan (前計画) this one continues, and how
    # (継続 / 充実・強化; 新規 when it continues nothing). Keys survive a reload of either plan.
    continues_key = models.CharField(max_length=100, blank=True)
    tag = models.CharField(_("tag"), max_length=20, blank=True, choices=LineageTag.choices)
    # Optimistic concurrency: every save through the editor checks and raises this.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CoveredManager()

    class Meta:
        ordering = ["plan_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="unique_node_key")]

    def __str__(self) -> str:
        return node_name(self.label, self.title)


class NodeDepartment(models.Model):
    """A 担当課 of a node, in the order the document names them."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE)
    department = models.ForeignKey(Department, on_delete=models.PROTECT)
    order = models.PositiveIntegerField(default=0)

    objects = CoveredManager()

    class Meta:
        ordering = ["node_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["node", "department"], name="unique_node_department")
        ]


class NodeKind(models.Model):
    """A 種別 of a node, in the order the document names them."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE)
    kind = models.ForeignKey(BusinessKind, on_delete=models.PROTECT)
    order = models.PositiveIntegerField(default=0)

    objects = CoveredManager()

    class Meta:
        ordering = ["node_id", "order"]
        constraints = [models.UniqueConstraint(fields=["node", "kind"], name="unique_node_kind")]


class Section(models.Model):
    """An ordered text section of a plan or a node: a heading and its paragraphs or bullets."""

    class Style(models.TextChoices):
        PARAGRAPHS = "paragraphs", _("paragraphs")
        BULLETS = "bullets", _("bullets")
        NUMBERED = "numbered", _("numbered")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    node = models.ForeignKey(
        Node, null=True, blank=True, on_delete=models.CASCADE, related_name="sections"
    )
    order = models.PositiveIntegerField(default=0)
    heading = models.CharField(max_length=200)
    style = models.CharField(max_length=20, choices=Style.choices, default=Style.PARAGRAPHS)
    body = models.JSONField(default=list)
    # Optimistic concurrency: every save through the editor checks and raises this.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CoveredManager()

    class Meta:
        ordering = ["plan_id", "node_id", "order"]


class SharedContent(models.Model):
    """A 実施内容 shared by many items (事業共通): one record, placed under each item listing it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="shared_contents")
    key = models.CharField(max_length=100)
    label = models.CharField(max_length=50)
    text = models.TextField()
    tag = models.CharField(max_length=20, blank=True)
    order = models.PositiveIntegerField(default=0)

    objects = CoveredManager()

    class Meta:
        ordering = ["plan_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="unique_shared_content_key")
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.text}"


class Content(models.Model):
    """A 実施内容 row under a node, with its own schedule and the goals it serves."""

    Tag = LineageTag

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="contents")
    shared = models.ForeignKey(
        SharedContent, null=True, blank=True, on_delete=models.PROTECT, related_name="placements"
    )
    order = models.PositiveIntegerField(default=0)
    label = models.CharField(_("label"), max_length=50, blank=True)
    text = models.TextField(_("text"))
    tag = models.CharField(_("tag"), max_length=20, blank=True, choices=Tag.choices)
    repost = models.BooleanField(_("listed again (再掲)"), default=False)
    note = models.TextField(blank=True)
    # Lineage: the content of the previous plan (前計画) this one continues, by its node's key
    # and its position under that node (as rounds name contents); blank for a new content.
    continues_key = models.CharField(max_length=100, blank=True)
    continues_position = models.PositiveIntegerField(null=True, blank=True)
    goals = models.ManyToManyField(
        Node, blank=True, related_name="served_by", through="ContentGoal"
    )
    # Optimistic concurrency: every save through the editor checks and raises this.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CoveredManager()

    class Meta:
        ordering = ["node_id", "order"]

    def __str__(self) -> str:
        return f"{self.label} {self.text}"

    @property
    def effective_tag(self) -> str:
        return self.tag or (self.shared.tag if self.shared_id else "")


class ContentGoal(models.Model):
    """A goal (usually of another plan) that a content serves, in the document's order.

    Kept by the goal's plan slug and node key; `node` is the goal found under them, or None when
    it is gone (a dangling reference, shown as such) or not loaded yet. Deleting the goal never
    deletes or blocks this row at the database level; the editor keeps goals served by another
    plan of the same organization from being deleted.
    """

    content = models.ForeignKey(Content, on_delete=models.CASCADE)
    node = models.ForeignKey(
        Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    plan_slug = models.CharField(max_length=100)
    node_key = models.CharField(max_length=100)
    order = models.PositiveIntegerField(default=0)

    objects = CoveredManager()

    class Meta:
        ordering = ["content_id", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["content", "plan_slug", "node_key"], name="unique_content_goal"
            )
        ]
        # A plan loaded after the contents serving its goals finds them without a scan.
        indexes = [
            models.Index(fields=["plan_slug"], condition=Q(node=None), name="goal_waiting_slug")
        ]


class ScheduleSpan(models.Model):
    """The phase of a content over one or more fiscal years (実施時期), as written."""

    content = models.ForeignKey(Content, on_delete=models.CASCADE, related_name="schedule")
    track = models.CharField(max_length=100, blank=True)
    from_fy = models.PositiveSmallIntegerField()
    to_fy = models.PositiveSmallIntegerField()
    phase = models.CharField(max_length=100)
    order = models.PositiveIntegerField(default=0)

    objects = CoveredManager()

    class Meta:
        ordering = ["content_id", "order"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_fy__gte=models.F("from_fy")), name="span_ends_after_start"
            )
        ]


class IndicatorQuerySet(CoveredQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Fill each indicator's plan from its node, as save() does."""
        objs = list(objs)
        for obj in objs:
            _fill_plan(obj)
        return super().bulk_create(objs, *args, **kwargs)


def _fill_plan(indicator: Indicator) -> None:
    if indicator.plan_id is None and indicator.node_id is not None:
        indicator.plan_id = (
            Node.objects.filter(pk=indicator.node_id).values_list("plan_id", flat=True).first()
        )


class Indicator(models.Model):
    """A 目標(数値) / 指標 under a node."""

    class Direction(models.TextChoices):
        UP = "up", _("higher is better")
        DOWN = "down", _("lower is better")
        KEEP = "keep", _("keep the level")
        NONE = "none", _("not judged by number")

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="indicators")
    # The node's plan, kept here so that the database itself refuses a key used twice in a plan
    # (filled from the node on save; never set by hand).
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+", editable=False)
    key = models.CharField(max_length=100)
    order = models.PositiveIntegerField(default=0)
    label = models.CharField(_("label"), max_length=50, blank=True)
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.UP
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="indicators"
    )
    notes = models.TextField(_("notes"), blank=True)
    # Lineage: the key of the indicator of the previous plan (前計画) this one continues.
    continues_key = models.CharField(max_length=100, blank=True)
    # Optimistic concurrency: every save through the editor checks and raises this.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["node_id", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="unique_indicator_key")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        _fill_plan(self)
        super().save(*args, **kwargs)


class IndicatorValue(models.Model):
    """A baseline, target or actual of an indicator for one FY: text as written, and its parse."""

    class Role(models.TextChoices):
        BASELINE = "baseline", _("baseline")
        TARGET = "target", _("target")
        ACTUAL = "actual", _("actual")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    role = models.CharField(max_length=10, choices=Role.choices)
    fy = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    # Parsed form, derived from text on save.
    kind = models.CharField(max_length=10, editable=False)
    number = models.DecimalField(max_digits=24, decimal_places=6, null=True, editable=False)
    high = models.DecimalField(max_digits=24, decimal_places=6, null=True, editable=False)
    value_unit = models.CharField(max_length=50, blank=True, editable=False)
    second_text = models.CharField(max_length=300, blank=True, editable=False)
    # Baseline details: the heading as printed, estimate (見込み) and as-of date.
    label = models.CharField(max_length=100, blank=True)
    estimate = models.BooleanField(default=False)
    as_of = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    objects = CoveredManager()

    class Meta:
        ordering = ["indicator_id", "role", "fy"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "role", "fy"], name="unique_indicator_value"
            )
        ]

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs) -> None:
        self.apply_parse()
        super().save(*args, **kwargs)

    def apply_parse(self) -> None:
        """Fill the parsed columns from the text."""
        parsed = parse_value(self.text)
        self.kind = parsed.kind
        self.number = parsed.number
        self.high = parsed.high
        self.value_unit = parsed.unit
        self.second_text = parsed.second.text if parsed.second else ""

    @property
    def parsed(self):
        return parse_value(self.text)


class ProgressNote(models.Model):
    """取組状況 and 今後の展開 reported for an indicator in one FY."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="reports")
    fy = models.PositiveSmallIntegerField()
    done = models.TextField(_("what was done"), blank=True)
    next = models.TextField(_("what comes next"), blank=True)

    objects = CoveredManager()

    class Meta:
        ordering = ["indicator_id", "fy"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "fy"], name="unique_progress_note")
        ]


class ChangeRecord(models.Model):
    """One change to a plan, by browser, workbook or command line: who, when, what, before, after.

    Kept by plan slug and object key rather than by foreign key, so the record outlives the
    objects it describes (a replaced plan, a deleted node) and can be read back for any item.
    """

    class Source(models.TextChoices):
        BROWSER = "browser", _("browser")
        WORKBOOK = "workbook", _("workbook")
        COMMAND = "command", _("command line")

    class Action(models.TextChoices):
        ADD = "add", _("added")
        CHANGE = "change", _("changed")
        REMOVE = "remove", _("removed")

    organization = models.ForeignKey(
        Organization, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    plan_slug = models.CharField(max_length=100, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user_name = models.CharField(max_length=150, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    batch = models.CharField(max_length=36, blank=True, db_index=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    kind = models.CharField(max_length=30)
    # The node key the change belongs to (for an item's history), and the object's own locator.
    node_key = models.CharField(max_length=100, blank=True, db_index=True)
    key = models.CharField(max_length=300, blank=True)
    label = models.CharField(max_length=500, blank=True)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["plan_slug", "node_key", "-at"])]


class PendingUpload(models.Model):
    """A checked workbook waiting for its uploader to confirm the preview.

    Holds the document read from the file and a fingerprint of the plan as it was when the
    preview was made, so that confirming after somebody else changed the plan is refused.
    """

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    # What the file is: a plan workbook ("plan"), or another workbook kept the same way until
    # confirmed (the register of 事務事業, "businesses-register"); each confirmation takes its own.
    kind = models.CharField(max_length=30, default="plan")
    doc = models.JSONField()
    fingerprint = models.CharField(max_length=64, blank=True)


class PlanCacheVersion(models.Model):
    """How many times anything a public page, download or report of the plan shows has changed.

    Raised in the same transaction as every such write (plans.cache_version), and part of every
    cache key of the plan's cached pages, so a change makes their cached copies unreachable.
    Its own table, not a field on Plan: a `plan.save()` of a plan loaded earlier must not write
    an older number back, and raising it must not wait for the editor's lock on the plan row.
    """

    plan = models.OneToOneField(
        Plan, primary_key=True, on_delete=models.CASCADE, related_name="cache_version"
    )
    version = models.PositiveBigIntegerField(default=0)
