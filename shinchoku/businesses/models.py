"""事務事業: the council's register of businesses and their yearly three-stage evaluation.

Beside the plan's own round, a council evaluates each of its businesses (事務事業評価) once in
three years: the staff member in charge (自己評価), the section chief (課長評価) and the secretary
general (事務局長の総合評価). The register says what each business is, costs and carries out
(the plan items it serves); the rotation says in which FY of the three-year cycle each business
is evaluated; an evaluation round gathers that FY's evaluations.

Amounts are in thousand yen (千円) and staff time in person-years (人工), as Japanese 行政評価
sheets write them.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shinchoku.covered import CoveredManager
from shinchoku.orgs.models import Department, Organization
from shinchoku.plans.models import BusinessKind, Node


class RegisterSettings(models.Model):
    """An organization's register-wide settings."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="register_settings"
    )
    # 人件費単価: what one person-year (1 人工) costs, in thousand yen.
    staff_rate = models.DecimalField(
        _("cost of one person-year (thousand yen)"),
        max_digits=12,
        decimal_places=1,
        default=Decimal("8000"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("register settings")
        verbose_name_plural = _("register settings")

    def __str__(self) -> str:
        return str(self.organization)

    @classmethod
    def of(cls, organization: Organization) -> RegisterSettings:
        found, _created = cls.objects.get_or_create(organization=organization)
        return found

    @classmethod
    def rate_column(cls, organization: int | models.Expression) -> models.Subquery:
        """The organization's saved staff_rate as a column of another query (issue 16: read
        along with the page's rows, no query of its own); NULL when none is saved yet."""
        saved = cls.objects.filter(organization_id=organization).values("staff_rate")
        return models.Subquery(saved[:1])

    @classmethod
    def rate_of(cls, organization: Organization, read: Decimal | None) -> Decimal:
        """The staff_rate `read` through rate_column, else the one `of` saves (the default)."""
        return read if read is not None else cls.of(organization).staff_rate


class Business(models.Model):
    """A 事務事業 of an organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="businesses"
    )
    # 事業番号: the business's key in the register workbook, unique in the organization.
    code = models.CharField(_("business number"), max_length=40)
    name = models.CharField(_("business name"), max_length=300)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="businesses",
        verbose_name=_("department"),
    )
    kind = models.ForeignKey(
        BusinessKind,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="businesses",
        verbose_name=_("kind of business"),
    )
    purpose = models.TextField(_("purpose"), blank=True)
    target = models.TextField(_("target group"), blank=True)
    # 活動指標: what the business produces, counted each year (e.g. 相談件数 件).
    output_name = models.CharField(_("output measure"), max_length=200, blank=True)
    output_unit = models.CharField(_("output unit"), max_length=20, blank=True)
    # The plan items the business carries out (an item page lists its businesses).
    nodes = models.ManyToManyField(
        Node, blank=True, related_name="businesses", through="BusinessNode"
    )
    order = models.PositiveIntegerField(default=0)
    # False once the business has ended (廃止); it stays in the register with its history.
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["organization_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="unique_business_code")
        ]
        verbose_name = _("business")
        verbose_name_plural = _("businesses")

    def __str__(self) -> str:
        return self.name


class BusinessNode(models.Model):
    """A plan item a business carries out."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE)
    node = models.ForeignKey(Node, on_delete=models.CASCADE)
    order = models.PositiveIntegerField(default=0)

    objects = CoveredManager()

    class Meta:
        ordering = ["business_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "node"], name="unique_business_node")
        ]


class BusinessYear(models.Model):
    """A business's figures for one FY: budget, settlement, staff time and output."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="years")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    budget = models.DecimalField(
        _("budget (thousand yen)"), max_digits=14, decimal_places=1, null=True, blank=True
    )
    settlement = models.DecimalField(
        _("settlement (thousand yen)"), max_digits=14, decimal_places=1, null=True, blank=True
    )
    staff_years = models.DecimalField(
        _("staff time (person-years)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    output = models.DecimalField(
        _("output"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # The 方向性 carried in from the last evaluation (拡充, 継続, …), blank when none.
    direction = models.CharField(_("direction of the business"), max_length=20, blank=True)

    class Meta:
        ordering = ["business_id", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["business", "fiscal_year"], name="unique_business_year")
        ]


class Judgement(models.TextChoices):
    """The judgement of each stage, and the 方向性 the last one sets."""

    EXPAND = "拡充", _("expand")
    CONTINUE = "継続", _("continue")
    IMPROVE = "改善・見直し", _("improve or review")
    REDUCE = "縮小", _("reduce")
    MERGE = "統合", _("merge")
    ABOLISH = "廃止", _("abolish")


class Rotation(models.Model):
    """A three-year cycle: in which FY (first_fy … first_fy + 2) each business is evaluated."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="rotations"
    )
    first_fy = models.PositiveSmallIntegerField(_("first year of the cycle"))
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["organization_id", "first_fy"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "first_fy"], name="unique_rotation_start"
            )
        ]

    @property
    def last_fy(self) -> int:
        return self.first_fy + 2


class RotationSlot(models.Model):
    """One business's FY in a rotation: each business appears once per cycle."""

    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="slots")
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="slots")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))

    class Meta:
        ordering = ["rotation_id", "fiscal_year", "business_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rotation", "business"], name="unique_rotation_business"
            )
        ]


class EvaluationRound(models.Model):
    """The evaluations of one FY of an organization."""

    class Status(models.TextChoices):
        OPEN = "open", _("being evaluated")
        CLOSED = "closed", _("evaluation closed")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="evaluation_rounds"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["organization_id", "-fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "fiscal_year"], name="unique_evaluation_round"
            )
        ]


class Stage(models.TextChoices):
    """Where an evaluation stands; each stage is locked once the next one starts."""

    SELF = "self", _("self-evaluation")  # 自己評価: the staff member in charge
    CHIEF = "chief", _("section chief's evaluation")  # 課長評価 (客観的評価)
    DIRECTOR = "director", _("secretary general's evaluation")  # 事務局長の総合評価
    DONE = "done", _("completed")


class BusinessEvaluation(models.Model):
    """One business's evaluation sheet in a round."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="evaluations")
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="evaluations")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.SELF)
    # The sheet (filled at the self-evaluation stage).
    purpose_target = models.TextField(_("purpose and target group"), blank=True)
    activity = models.TextField(_("activities and figures"), blank=True)
    outcome = models.TextField(_("outcomes"), blank=True)
    issues = models.TextField(_("issues"), blank=True)
    # The three judgements, each with its reasons, who signed it off and when.
    self_judgement = models.CharField(max_length=20, choices=Judgement.choices, blank=True)
    self_reason = models.TextField(blank=True)
    self_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    self_at = models.DateTimeField(null=True, blank=True)
    chief_judgement = models.CharField(max_length=20, choices=Judgement.choices, blank=True)
    chief_reason = models.TextField(blank=True)
    chief_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chief_at = models.DateTimeField(null=True, blank=True)
    director_judgement = models.CharField(max_length=20, choices=Judgement.choices, blank=True)
    director_reason = models.TextField(blank=True)
    director_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    director_at = models.DateTimeField(null=True, blank=True)
    # Why the sheet was last sent back, shown to the stage it returned to.
    returned_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["round_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "business"], name="unique_round_business")
        ]

    @property
    def direction(self) -> str:
        """The 方向性: the secretary general's judgement once the evaluation is completed."""
        return self.director_judgement if self.stage == Stage.DONE else ""
