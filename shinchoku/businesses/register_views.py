"""The register of 事務事業: the list per organization, a business's page, and the 管理者's forms.

Every member of the organization reads the register; the 管理者 (can_edit_structure) adds and
edits businesses, their figures per FY and the register settings. Another organization's
register answers 404 as if it did not exist; an anonymous visitor goes to the login page.
The workbook (download, upload, preview, apply) is in register_xlsx_views.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from shinchoku.accounts.permissions import (
    can_edit_structure,
    is_federation,
    membership,
    require,
)
from shinchoku.businesses import register_services as services
from shinchoku.businesses.access import organization_for
from shinchoku.businesses.models import BusinessEvaluation, RegisterSettings
from shinchoku.businesses.register_forms import (
    BusinessForm,
    FilterForm,
    SettingsForm,
    UploadForm,
    YearForm,
)
from shinchoku.businesses.register_pages import (
    business_for,
    cost_of,
    groups,
    latest_direction,
    list_fy,
    listed,
)
from shinchoku.core.business_cost import amount_text
from shinchoku.orgs.filters import page_of
from shinchoku.orgs.models import Department, Organization
from shinchoku.plans.models import BusinessKind, Node


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _version(request: HttpRequest) -> int | None:
    return _int(request.POST.get("version"))


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """A member goes to their organization's register; the federation operator chooses one."""
    require(request, request.user.is_authenticated)
    if not is_federation(request.user):
        member = membership(request.user)
        require(request, member is not None)
        return HttpResponseRedirect(reverse("businesses:register", args=[member.organization.slug]))
    organizations = Organization.objects.annotate(
        n_businesses=Count("businesses", filter=Q(businesses__active=True))
    ).order_by("name", "id")
    return render(
        request, "businesses/register_orgs.html", {"page": page_of(request, organizations)}
    )


@require_safe
def register(request: HttpRequest, org: str) -> HttpResponse:
    """The organization's businesses, a table per department, with the costs of one FY."""
    organization = organization_for(request, org)
    departments = list(Department.objects.filter(organization=organization))
    kinds = list(BusinessKind.objects.filter(organization=organization))
    department = _int(request.GET.get("department"))
    kind = _int(request.GET.get("kind"))
    businesses = list(listed(organization, department, kind))
    fy = list_fy(businesses)
    # read with the businesses (listed), else on its own
    rate = RegisterSettings.rate_of(organization, businesses[0].staff_rate if businesses else None)
    return render(
        request,
        "businesses/register_list.html",
        {
            "organization": organization,
            "groups": groups(businesses, fy, rate),
            "count": len(businesses),
            "fy": fy,
            "rate": amount_text(rate),
            "filtered": bool(department or kind),
            "form": FilterForm(
                {"department": str(department or ""), "kind": str(kind or "")},
                departments=departments,
                kinds=kinds,
            ),
            "may_edit": can_edit_structure(request.user, organization),
            "upload_form": UploadForm(),
        },
    )


@require_safe
def business(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """A business: what it is, the plan items it carries out, its figures and evaluations."""
    organization = organization_for(request, org)
    found = business_for(organization, pk)
    rate = RegisterSettings.rate_of(organization, found.staff_rate)
    years = list(found.years.order_by("fiscal_year"))
    nodes = list(
        Node.objects.filter(businessnode__business=found)
        .select_related("plan")
        .order_by("businessnode__order")
    )
    evaluations = list(
        BusinessEvaluation.objects.filter(business=found)
        .select_related("round")
        .order_by("-round__fiscal_year")
    )
    return render(
        request,
        "businesses/register_business.html",
        {
            "organization": organization,
            "business": found,
            "rate": amount_text(rate),
            "years": [cost_of(y, rate) for y in years],
            "direction": latest_direction(years),
            "nodes": nodes,
            "evaluations": evaluations,
            "may_edit": can_edit_structure(request.user, organization),
        },
    )


def _admin_organization(request: HttpRequest, org: str) -> Organization:
    organization = organization_for(request, org)
    require(request, can_edit_structure(request.user, organization))
    return organization


def _business_form(organization: Organization, data, error=None) -> BusinessForm:
    return BusinessForm(
        data,
        departments=Department.objects.filter(organization=organization),
        kinds=BusinessKind.objects.filter(organization=organization),
        nodes=Node.objects.filter(plan__organization=organization, plan__owner_name="")
        .select_related("plan")
        .order_by("plan__title", "plan_id", "seq"),
        error=error,
    )


def _posted(post, name: str) -> str:
    """A posted text, stripped, without the NUL characters no database stores."""
    return post.get(name, "").replace("\x00", "").strip()


def _business_data(organization: Organization, post) -> services.BusinessData:
    department = Department.objects.filter(
        organization=organization, pk=_int(post.get("department"))
    ).first()
    if department is None:
        raise services.RegisterError(_("Choose the department in charge."), "department")
    node_ids = [i for i in (_int(v) for v in post.getlist("nodes")) if i]
    nodes = list(
        Node.objects.filter(pk__in=node_ids, plan__organization=organization).select_related("plan")
    )
    if len(nodes) != len(set(node_ids)):
        raise services.RegisterError(_("Choose items of this organization's plans."), "nodes")
    order = {i: n for n, i in enumerate(node_ids)}
    nodes.sort(key=lambda n: order[n.pk])
    return services.BusinessData(
        code=_posted(post, "code"),
        name=_posted(post, "name"),
        department=department,
        kind_name=_posted(post, "new_kind") or _posted(post, "kind"),
        purpose=_posted(post, "purpose"),
        target=_posted(post, "target"),
        output_name=_posted(post, "output_name"),
        output_unit=_posted(post, "output_unit"),
        nodes=nodes,
    )


def _form_page(request, organization, form, found=None, *, conflict="", status=200):
    return render(
        request,
        "businesses/register_form.html",
        {"organization": organization, "business": found, "form": form, "conflict": conflict},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def business_new(request: HttpRequest, org: str) -> HttpResponse:
    organization = _admin_organization(request, org)
    if request.method != "POST":
        return _form_page(request, organization, _business_form(organization, {}))
    try:
        created = services.add_business(organization, _business_data(organization, request.POST))
    except services.RegisterError as exc:
        form = _business_form(organization, request.POST, exc)
        return _form_page(request, organization, form, status=400)
    messages.success(request, _("The business was added."))
    return HttpResponseRedirect(reverse("businesses:business", args=[org, created.pk]))


def _stored(found) -> dict:
    return {
        "code": found.code,
        "name": found.name,
        "department": str(found.department_id),
        "kind": found.kind.name if found.kind else "",
        "purpose": found.purpose,
        "target": found.target,
        "output_name": found.output_name,
        "output_unit": found.output_unit,
        "nodes": [str(i) for i in found.businessnode_set.values_list("node_id", flat=True)],
    }


@require_http_methods(["GET", "POST"])
def business_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organization = _admin_organization(request, org)
    found = business_for(organization, pk)
    if request.method != "POST":
        form = _business_form(organization, _stored(found))
        return _form_page(request, organization, form, found)
    version = _version(request)
    try:
        if version is None:
            raise services.StaleVersion(services.stale_message())
        services.update_business(found, _business_data(organization, request.POST), version=version)
    except services.StaleVersion as exc:
        found = business_for(organization, pk)
        form = _business_form(organization, _stored(found))
        return _form_page(request, organization, form, found, conflict=exc.message, status=409)
    except services.RegisterError as exc:
        form = _business_form(organization, request.POST, exc)
        return _form_page(request, organization, form, found, status=400)
    messages.success(request, _("The changes were saved."))
    return HttpResponseRedirect(reverse("businesses:business", args=[org, pk]))


@require_http_methods(["GET", "POST"])
def business_years(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """The figures per FY of a business: the table, and a form that sets one FY's figures."""
    organization = _admin_organization(request, org)
    found = business_for(organization, pk)
    status, conflict, errors = 200, "", {}
    data = {"fiscal_year": request.GET.get("fy", "")}
    years = {y.fiscal_year: y for y in found.years.all()}
    fy = _int(data["fiscal_year"])
    if fy in years:
        y = years[fy]
        data.update({f: services.plain(getattr(y, f)) for f in _FIGURES})
    if request.method == "POST":
        data = {k: request.POST.get(k, "").strip() for k in ("fiscal_year", *_FIGURES)}
        parsed = services.YearData(fiscal_year=_int(data["fiscal_year"]) or 0)
        if not parsed.fiscal_year:
            errors["fiscal_year"] = _("Enter a fiscal year such as 2024.")
        for name, precision in _FIGURES.items():
            try:
                setattr(parsed, name, services.parse_amount(data[name], precision))
            except ValueError as exc:
                errors[name] = str(exc)
        version = _version(request)
        if not errors:
            try:
                if version is None:
                    raise services.StaleVersion(services.stale_message())
                changed = services.save_year(found, parsed, version=version)
            except services.StaleVersion as exc:
                conflict, status = exc.message, 409
                found = business_for(organization, pk)
            except services.RegisterError as exc:
                errors[exc.field or "fiscal_year"] = exc.message
            else:
                if changed:
                    messages.success(request, _("The figures were saved."))
                else:
                    messages.info(request, _("Nothing was changed."))
                return HttpResponseRedirect(reverse("businesses:business_years", args=[org, pk]))
        if errors:
            status = 400
    settings = RegisterSettings.of(organization)
    return render(
        request,
        "businesses/register_years.html",
        {
            "organization": organization,
            "business": found,
            "years": [cost_of(y, settings.staff_rate) for y in found.years.order_by("fiscal_year")],
            "form": YearForm(data, errors=errors),
            "conflict": conflict,
            "settings": settings,
            "rate": amount_text(settings.staff_rate),
        },
        status=status,
    )


_FIGURES = {
    "budget": services.AMOUNT,
    "settlement": services.AMOUNT,
    "staff_years": services.STAFF_YEARS,
    "output": services.OUTPUT,
}


@require_http_methods(["GET", "POST"])
def register_settings(request: HttpRequest, org: str) -> HttpResponse:
    organization = _admin_organization(request, org)
    settings = RegisterSettings.of(organization)
    status, conflict, error = 200, "", None
    data = {"staff_rate": services.plain(settings.staff_rate)}
    if request.method == "POST":
        data = {"staff_rate": request.POST.get("staff_rate", "").strip()}
        version = _version(request)
        try:
            rate = services.parse_amount(data["staff_rate"], services.RATE)
            if rate is None:
                raise ValueError(_("Enter the cost of one person-year in thousand yen."))
        except ValueError as exc:
            error, status = services.RegisterError(str(exc), "staff_rate"), 400
        else:
            try:
                if version is None:
                    raise services.StaleVersion(services.stale_message())
                services.save_settings(organization, rate, version=version)
            except services.StaleVersion as exc:
                conflict, status = exc.message, 409
                settings = RegisterSettings.of(organization)
                data = {"staff_rate": services.plain(settings.staff_rate)}
            else:
                messages.success(request, _("The register settings were saved."))
                return HttpResponseRedirect(reverse("businesses:register", args=[org]))
    return render(
        request,
        "businesses/register_settings.html",
        {
            "organization": organization,
            "settings": settings,
            "rate": amount_text(settings.staff_rate),
            "form": SettingsForm(data, error=error),
            "conflict": conflict,
        },
        status=status,
    )
