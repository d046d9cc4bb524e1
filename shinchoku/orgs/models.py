"""Organizations (a council or a municipality) and their departments."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shinchoku.core.prefectures import PREFECTURES
from shinchoku.covered import CoveredManager

PREFECTURE_CHOICES = [(code, pgettext_lazy("prefecture", en)) for code, _ja, en in PREFECTURES]


class Organization(models.Model):
    """A 社会福祉協議会 or a 市区町村 that owns plans."""

    class Kind(models.TextChoices):
        COUNCIL = "council", _("Council of social welfare")
        MUNICIPALITY = "municipality", _("Municipality")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # JIS code of the 都道府県 ("13" 東京都): the federation filters its lists by it.
    prefecture = models.CharField(
        _("prefecture"), max_length=2, choices=PREFECTURE_CHOICES, blank=True, db_index=True
    )

    objects = CoveredManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A 課, or a 係 under a 課 (担当課 / 担当部署 / 担当係)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="departments"
    )
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    order = models.PositiveIntegerField(default=0)

    objects = CoveredManager()

    class Meta:
        ordering = ["organization_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="unique_department_name")
        ]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name
