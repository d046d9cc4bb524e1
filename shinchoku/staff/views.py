"""Staff pages: the 管理者 of an organization (or the federation operator) manages its people.

Another organization's pages answer 404 as if they did not exist; a member of the organization
without the 管理者 role gets 403; an anonymous visitor goes to the login page.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import PasswordResetConfirmView
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from shinchoku.accounts.models import Membership, Role
from shinchoku.accounts.permissions import is_federation, membership, require
from shinchoku.audit.models import Action
from shinchoku.audit.recorder import record
from shinchoku.core.filenames import download_name
from shinchoku.downloads import set_download_name
from shinchoku.orgs.filters import (
    filter_form,
    filter_organizations,
    labels,
    page_of,
    prefecture_labels,
)
from shinchoku.orgs.models import Department, Organization
from shinchoku.plans.models import Plan
from shinchoku.plans.workbook import CellProblem
from shinchoku.plans.workbook_views import XLSX
from shinchoku.plans.xlsx_guard import upload_problem
from shinchoku.plans.xlsx_safety import MAX_BYTES
from shinchoku.staff import roster, services, transfers
from shinchoku.staff.events import person_event
from shinchoku.staff.forms import PersonForm, RosterUploadForm, TransferForm
from shinchoku.staff.models import Transfer
from shinchoku.staff.tokens import invitation_tokens, send_invitation

User = get_user_model()
ROSTER_SESSION = "shinchoku_staff_roster"


def organization_for(request: HttpRequest, slug: str) -> Organization:
    """The organization whose people the user manages; login, 404 or 403 otherwise."""
    require(request, request.user.is_authenticated)
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise Http404("no such organization")
    if is_federation(request.user):
        return organization
    member = membership(request.user)
    if member is None or member.organization_id != organization.pk:
        raise Http404("no such organization")
    require(request, member.role == Role.ADMIN)
    return organization


def person_for(organization: Organization, user_id: int) -> Membership:
    member = (
        Membership.objects.filter(organization=organization, user_id=user_id)
        .select_related("user", "organization")
        .prefetch_related("departments")
        .first()
    )
    if member is None:
        raise Http404("no such person")
    return member


def _base_url(request: HttpRequest) -> str:
    """Links in e-mails start with SHINCHOKU_BASE_URL (the address users know, https behind a
    proxy), never with whatever Host the request came with; as the password-reset mail."""
    return settings.SHINCHOKU_BASE_URL


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The operator chooses an organization; a 管理者 goes straight to their own."""
    require(request, request.user.is_authenticated)
    if is_federation(request.user):
        return _organization_list(request)
    member = membership(request.user)
    require(request, member is not None and member.role == Role.ADMIN)
    return HttpResponseRedirect(reverse("staff:list", args=[member.organization.slug]))


def _count(queryset) -> Subquery:
    """The number of rows of `queryset` (filtered on OuterRef("pk")), as a subquery."""
    counted = queryset.order_by().values("organization").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted), 0)


def _organization_list(request: HttpRequest) -> HttpResponse:
    """Every organization, 50 a page, filtered by prefecture, kind and round state, with its
    people, plans and open rounds counted in the database (a fixed number of queries)."""
    form = filter_form(request)
    organizations = filter_organizations(Organization.objects.all(), form.choices()).annotate(
        people=_count(Membership.objects.filter(organization=OuterRef("pk"))),
        active=_count(Membership.objects.filter(organization=OuterRef("pk"), user__is_active=True)),
        n_plans=_count(Plan.objects.filter(organization=OuterRef("pk"), owner_name="")),
        open_rounds=_count(Plan.objects.filter(organization=OuterRef("pk"), rounds__status="open")),
    )
    page = page_of(request, organizations.order_by("name", "id"))
    prefectures, kinds = prefecture_labels(), labels(Organization.Kind.choices)
    for org in page:
        org.prefecture_label = prefectures.get(org.prefecture, "―")
        org.kind_label = kinds.get(org.kind, org.kind)
    return render(request, "staff/organizations.html", {"page": page, "form": form})


@require_safe
def staff_list(request: HttpRequest, slug: str) -> HttpResponse:
    organization = organization_for(request, slug)
    members = (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .prefetch_related("departments")
        .order_by("-user__is_active", "user__username")
    )
    departments = Department.objects.filter(organization=organization)
    chosen = {
        "department": request.GET.get("department", ""),
        "role": request.GET.get("role", ""),
        "active": request.GET.get("active", ""),
    }
    if chosen["department"].isdigit():
        members = members.filter(departments__pk=int(chosen["department"]))
    if chosen["role"] in Role.values:
        members = members.filter(role=chosen["role"])
    if chosen["active"] in ("1", "0"):
        members = members.filter(user__is_active=chosen["active"] == "1")
    return render(
        request,
        "staff/list.html",
        {
            "organization": organization,
            "members": members,
            "department_choices": [(d.pk, d.name) for d in departments],
            "state_choices": [("1", _("Active")), ("0", _("Deactivated"))],
            "roles": Role.choices,
            "chosen": chosen,
            "upload_form": RosterUploadForm(),
        },
    )


def _person_data(form: PersonForm) -> services.PersonData:
    data = form.cleaned_data
    username = data.get("username") or services.default_username(data["email"])
    return services.PersonData(
        data["name"], data["email"], username, data["role"], list(data["departments"])
    )


def add(request: HttpRequest, slug: str) -> HttpResponse:
    organization = organization_for(request, slug)
    form = PersonForm(request.POST or None, organization=organization)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                member = services.add_person(
                    organization,
                    _person_data(form),
                    base_url=_base_url(request),
                    by=request.user,
                    request=request,
                )
            except services.StaffError as exc:
                form.add_error(exc.field or None, exc.message)
            else:
                messages.success(
                    request,
                    _("%(name)s was added. An invitation was sent to %(email)s.")
                    % {"name": member.user.get_full_name(), "email": member.user.email},
                )
                return HttpResponseRedirect(reverse("staff:person", args=[slug, member.user_id]))
    return render(
        request, "staff/add.html", {"organization": organization, "form": form}, status=status
    )


def _person_page(
    request: HttpRequest,
    member: Membership,
    *,
    form: PersonForm | None = None,
    transfer_form: TransferForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    organization = member.organization
    user = member.user
    if form is None:
        form = PersonForm(
            organization=organization,
            editing=True,
            initial={
                "name": user.get_full_name(),
                "email": user.email,
                "username": user.username,
                "role": member.role,
                "departments": list(member.departments.all()),
                "version": member.version,
            },
        )
    if transfer_form is None:
        transfer_form = TransferForm(
            organization=organization,
            prefix="t",
            initial={"departments": list(member.departments.all())},
        )
    return render(
        request,
        "staff/person.html",
        {
            "organization": organization,
            "member": member,
            "person": user,
            "form": form,
            "transfer_form": transfer_form,
            "transfers": Transfer.objects.filter(user=user, organization=organization),
            "invitation": services.invitation_state(user),
            "error": error,
            "today": timezone.localdate(),
        },
        status=status,
    )


def person(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """A person's page; POST saves the edit form (with the version it was shown with)."""
    organization = organization_for(request, slug)
    member = person_for(organization, user_id)
    if request.method != "POST":
        return _person_page(request, member)
    form = PersonForm(request.POST, organization=organization, editing=True)
    if not form.is_valid():
        return _person_page(request, member, form=form, status=400)
    try:
        changed = services.update_person(
            member,
            _person_data(form),
            version=form.cleaned_data["version"],
            by=request.user,
            request=request,
        )
    except services.StaleVersion as exc:
        member = person_for(organization, user_id)
        return _person_page(request, member, error=exc.message, status=409)
    except services.StaffError as exc:
        form.add_error(exc.field or None, exc.message)
        return _person_page(request, member, form=form, status=400)
    if changed:
        messages.success(request, _("The changes were saved."))
    else:
        messages.info(request, _("Nothing was changed."))
    return HttpResponseRedirect(reverse("staff:person", args=[slug, user_id]))


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


@require_POST
def set_active(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    organization = organization_for(request, slug)
    member = person_for(organization, user_id)
    active = request.POST.get("active") == "1"
    version = _version(request)
    if version is None:
        return _person_page(request, member, error=services.stale_message(), status=400)
    try:
        services.set_active(member, active, version=version, by=request.user, request=request)
    except services.StaffError as exc:
        member = person_for(organization, user_id)
        return _person_page(
            request,
            member,
            error=exc.message,
            status=409 if isinstance(exc, services.StaleVersion) else 400,
        )
    name = member.user.get_full_name() or member.user.username
    if active:
        messages.success(request, _("%(name)s can log in again.") % {"name": name})
    else:
        messages.success(
            request,
            _("%(name)s was deactivated: they can no longer log in. Their records keep their name.")
            % {"name": name},
        )
    return HttpResponseRedirect(reverse("staff:person", args=[slug, user_id]))


@require_POST
def resend(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    organization = organization_for(request, slug)
    member = person_for(organization, user_id)
    user = member.user
    if user.has_usable_password() or not user.is_active:
        messages.info(
            request,
            _("%(name)s has already chosen a password or is deactivated: no invitation was sent.")
            % {"name": user.get_full_name()},
        )
    elif not user.email:
        messages.error(
            request,
            _(
                "%(name)s has no e-mail address. Enter one in the form below, then send the "
                "invitation."
            )
            % {"name": user.get_full_name()},
        )
    else:
        send_invitation(
            user, organization, _base_url(request), by=request.user, request=request, again=True
        )
        messages.success(
            request, _("The invitation was sent again to %(email)s.") % {"email": user.email}
        )
    return HttpResponseRedirect(reverse("staff:person", args=[slug, user_id]))


@require_POST
def transfer(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    organization = organization_for(request, slug)
    member = person_for(organization, user_id)
    form = TransferForm(request.POST, organization=organization, prefix="t")
    if not form.is_valid():
        return _person_page(request, member, transfer_form=form, status=400)
    try:
        done = transfers.record_transfer(
            member,
            effective=form.cleaned_data["effective"],
            departments=list(form.cleaned_data["departments"]),
            role=form.cleaned_data["role"],
            by=request.user,
            request=request,
        )
    except services.StaffError as exc:
        form.add_error(exc.field or None, exc.message)
        return _person_page(request, member, transfer_form=form, status=400)
    if done.applied_at:
        messages.success(request, _("The transfer was applied: the departments were changed."))
    else:
        messages.success(
            request, _("The transfer was recorded. It is applied on its effective date.")
        )
    return HttpResponseRedirect(reverse("staff:person", args=[slug, user_id]))


@require_POST
def cancel_transfer(request: HttpRequest, slug: str, user_id: int, pk: int) -> HttpResponse:
    organization = organization_for(request, slug)
    member = person_for(organization, user_id)
    found = Transfer.objects.filter(pk=pk, user_id=user_id, organization=organization).first()
    if found is None:
        raise Http404("no such transfer")
    try:
        transfers.cancel(found, by=request.user, request=request)
    except services.StaffError as exc:
        return _person_page(request, member, error=exc.message, status=409)
    messages.success(request, _("The transfer was cancelled."))
    return HttpResponseRedirect(reverse("staff:person", args=[slug, user_id]))


@require_safe
def roster_download(request: HttpRequest, slug: str) -> HttpResponse:
    organization = organization_for(request, slug)
    response = HttpResponse(roster.write_roster(organization), content_type=XLSX)
    filename = download_name("職員名簿", organization.name, ext="xlsx")
    record(
        Action.DOWNLOAD,
        request=request,
        user=request.user,
        url_name="staff:roster_download",
        filename=filename,
        status=200,
    )
    set_download_name(response, filename, fallback=f"staff_{organization.slug}")
    response["Cache-Control"] = "no-store"
    return response


def _preview(
    request: HttpRequest,
    organization: Organization,
    *,
    filename: str,
    plan: roster.RosterPlan | None = None,
    problems: list[CellProblem] | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "staff/roster_preview.html",
        {
            "organization": organization,
            "filename": filename,
            "plan": plan,
            "problems": problems if problems is not None else (plan.problems if plan else []),
            "notice": notice,
        },
        status=status,
    )


@require_POST
def roster_upload(request: HttpRequest, slug: str) -> HttpResponse:
    """Check the uploaded staff list and show what it would change (nothing is stored yet)."""
    organization = organization_for(request, slug)
    upload = request.FILES.get("file")
    name = upload.name if upload is not None else ""
    problem = upload_problem(upload, MAX_BYTES)
    if problem:
        return _preview(
            request,
            organization,
            filename=name,
            problems=[CellProblem("", "", problem)],
            status=400,
        )
    record(
        Action.UPLOAD,
        request=request,
        user=request.user,
        url_name="staff:roster_upload",
        filename=name,
    )
    raw, problems = roster.read_rows(upload.read())
    if problems:
        return _preview(request, organization, filename=name, problems=problems, status=400)
    plan = roster.plan_roster(organization, raw, request.user)
    if plan.problems:
        return _preview(request, organization, filename=name, plan=plan, status=400)
    request.session[ROSTER_SESSION] = {
        "organization": organization.pk,
        "raw": raw,
        "digest": plan.digest(),
        "filename": name,
    }
    return _preview(request, organization, filename=name, plan=plan)


@require_POST
def roster_apply(request: HttpRequest, slug: str) -> HttpResponse:
    """Apply the previewed staff list, if it still changes the same as shown."""
    organization = organization_for(request, slug)
    pending = request.session.get(ROSTER_SESSION)
    if not pending or pending.get("organization") != organization.pk:
        messages.error(request, _("There is no uploaded staff list to apply. Upload it again."))
        return HttpResponseRedirect(reverse("staff:list", args=[slug]))
    filename = pending.get("filename", "")
    plan = roster.plan_roster(organization, pending["raw"], request.user)
    if plan.problems:
        del request.session[ROSTER_SESSION]
        return _preview(request, organization, filename=filename, plan=plan, status=409)
    if plan.digest() != pending.get("digest") or request.POST.get("digest") != pending.get(
        "digest"
    ):
        pending["digest"] = plan.digest()
        request.session[ROSTER_SESSION] = pending
        return _preview(
            request,
            organization,
            filename=filename,
            plan=plan,
            notice=_(
                "The staff were changed by someone else since the preview. Nothing was saved. "
                "Check the changes below again and confirm."
            ),
            status=409,
        )
    try:
        roster.apply_roster(
            organization, plan, request.user, base_url=_base_url(request), request=request
        )
    except services.StaffError as exc:
        return _preview(
            request,
            organization,
            filename=filename,
            problems=[CellProblem("", "", exc.message)],
            status=409,
        )
    del request.session[ROSTER_SESSION]
    record(
        Action.UPLOAD,
        request=request,
        user=request.user,
        url_name="staff:roster_apply",
        filename=filename,
        status=302,
    )
    messages.success(
        request,
        ngettext(
            "The staff list was applied: %(n)s person added or changed.",
            "The staff list was applied: %(n)s people added or changed.",
            len(plan.changes),
        )
        % {"n": len(plan.changes)},
    )
    return HttpResponseRedirect(reverse("staff:list", args=[slug]))


class AcceptInvitationView(PasswordResetConfirmView):
    """The invitation link: the new person chooses a password and is logged in."""

    template_name = "staff/accept.html"
    token_generator = invitation_tokens
    post_reset_login = True
    post_reset_login_backend = "shinchoku.accounts.backends.MemberBackend"
    success_url = reverse_lazy("plans:list")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        if user is None or not user.is_active or user.has_usable_password():
            return None
        return user

    def form_valid(self, form):
        response = super().form_valid(form)
        member = Membership.objects.filter(user=self.user).first()
        if member is not None:
            person_event(
                Action.INVITATION_ACCEPTED,
                self.user,
                member.organization_id,
                by=self.user,
                request=self.request,
            )
        messages.success(self.request, _("Your password was set. Welcome to Shinchoku."))
        return response
