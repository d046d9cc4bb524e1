"""Loading a whole plan document (workbook or JSON) with its history, for web and command line.

`prepare` checks a document against the database for one user and computes what would change;
`apply` writes it in one transaction and records every change. Between the two, the plan may be
changed by someone else: `apply` refuses when the plan is no longer what the preview showed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from shinchoku.orgs.models import Organization
from shinchoku.plans import history
from shinchoku.plans.cache_version import version_read
from shinchoku.plans.diff import Change, diff_documents
from shinchoku.plans.interchange import dumps, export_plan, load_documents, size_problems
from shinchoku.plans.models import ChangeRecord, Plan


class StalePreview(Exception):
    """The plan changed after the preview was made."""


@dataclass
class Prepared:
    """A document checked for one user, with what loading it would change."""

    doc: dict[str, Any]
    exists: bool
    changes: list[Change]
    fingerprint: str  # of the plan as it was when the changes were computed
    problems: list[str] = field(default_factory=list)

    @property
    def losses(self) -> list[Change]:
        """Changes that remove reported progress (実績・取組報告)."""
        return [c for c in self.changes if c.loses_progress]


def fingerprint(plan: Plan | None) -> str:
    """A hash of the plan's whole document: equal when nothing in the plan changed."""
    if plan is None:
        return ""
    return _digest(export_plan(plan))


def stored_document(plan: Plan) -> dict:
    """The plan's document as stored (export_plan), kept in Django's cache under the plan's
    cache version (issue 16): downloading a plan's workbook and uploading it back, or confirming
    a preview, read the plan once. Every write to what the document holds raises the version in
    its own transaction (plans.cache_version), so a changed plan's copy is never found again.

    `plan` is read with its version as `cache_v` (visible_plan(versioned=True), or prepare).
    """
    version_read()
    key = f"shinchoku:plan-document:{plan.pk}:v{plan.cache_v}"
    found = cache.get(key)
    if found is None:
        found = export_plan(plan)
        cache.set(key, found)
    return found


def _digest(doc: dict) -> str:
    return hashlib.sha256(dumps(doc).encode()).hexdigest()


def node_key_of(change: Change) -> str:
    """The node a change belongs to, for an item's history ("" for plan-level changes)."""
    return getattr(change, "node_key", "") or ""


def prepare(doc: dict[str, Any], organization: Organization | None) -> Prepared:
    """Check that the document may be loaded for `organization` (None: any, the federation)."""
    problems: list[str] = []
    slug = doc.get("plan", {}).get("slug", "")
    existing = (
        Plan.objects.select_related("organization")
        .annotate(cache_v=Coalesce("cache_version__version", 0))
        .filter(slug=slug)
        .first()
    )
    if organization is not None:
        org_doc = doc.get("organization", {})
        if org_doc.get("slug") != organization.slug:
            problems.append(
                gettext(
                    "The organization ID “%(given)s” does not match your organization "
                    "(%(yours)s). Check the organization ID on the sheet “計画”."
                )
                % {"given": org_doc.get("slug", ""), "yours": organization.slug}
            )
        # The organization's own name and kind stay as they are; a workbook does not rename it.
        doc["organization"] = {
            "slug": organization.slug,
            "name": organization.name,
            "kind": organization.kind,
        }
        if existing is not None and existing.organization_id != organization.pk:
            problems.append(
                gettext(
                    "The plan ID “%(slug)s” is used by a plan of another organization. "
                    "Choose another plan ID."
                )
                % {"slug": slug}
            )
    # A tree past the size limits is refused before the comparison walks it.
    problems.extend(str(p) for p in size_problems(doc))
    # The plan is read once (issue 16): its fingerprint is that of the document compared. A
    # refused document compares nothing and needs none (it is never applied).
    old = stored_document(existing) if existing is not None and not problems else None
    digest = _digest(old) if old is not None else ""
    changes = diff_documents(old, doc) if not problems else []
    return Prepared(
        doc=doc,
        exists=existing is not None,
        changes=changes,
        fingerprint=digest,
        problems=problems,
    )


def apply(
    prepared: Prepared,
    *,
    user: Any,
    source: str,
    expected_fingerprint: str | None = None,
) -> Plan:
    """Load the prepared document (updating the plan in place if it exists) and record its changes.

    Raises StalePreview when the plan changed since the preview; InvalidDocument /
    PlanExists from the loader leave the database untouched.
    """
    slug = prepared.doc["plan"]["slug"]
    with transaction.atomic():
        existing = Plan.objects.select_for_update().filter(slug=slug).first()
        expected = prepared.fingerprint if expected_fingerprint is None else expected_fingerprint
        if fingerprint(existing) != expected:
            raise StalePreview(
                gettext(
                    "This plan changed after the preview. Upload the workbook again and check "
                    "the changes."
                )
            )
        (plan,) = load_documents([prepared.doc], replace=existing is not None)
        history.record_changes(plan, prepared.changes, user=user, source=source)
    return plan


def import_source(name: str) -> str:
    """The history source for a file name: a workbook or the command line."""
    if name.lower().endswith(".xlsx"):
        return ChangeRecord.Source.WORKBOOK
    return ChangeRecord.Source.COMMAND
