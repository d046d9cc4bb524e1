from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from shinchoku.accounts.models import Membership, PasswordState

User = get_user_model()


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["organization", "role", "departments"]

    def clean(self):
        data = super().clean()
        organization = data.get("organization")
        if organization is not None:
            self.instance.organization = organization
            try:
                self.instance.check_departments(data.get("departments") or [])
            except forms.ValidationError as exc:
                self.add_error("departments", exc)
        return data


class MembershipInline(admin.StackedInline):
    model = Membership
    form = MembershipForm
    can_delete = False
    filter_horizontal = ["departments"]
    extra = 1
    max_num = 1


admin.site.unregister(User)


@admin.register(User)
class ShinchokuUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "last_name", "first_name", "organization", "role", "is_active"]
    list_filter = ["membership__organization", "membership__role", "is_active", "is_superuser"]
    list_select_related = ["membership__organization"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and obj.has_usable_password():
            # A password given by the operator is an initial one: changed at the first login.
            PasswordState.require_change(obj)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if (
            request.method == "POST"
            and response.status_code == 302
            and str(request.user.pk) != str(id)
        ):
            # The operator set someone else's password: that user chooses their own at login.
            user = self.get_object(request, id)
            if user is not None:
                PasswordState.require_change(user)
        return response

    @admin.display(description="organization", ordering="membership__organization__name")
    def organization(self, user):
        member = getattr(user, "membership", None)
        return member.organization if member else ""

    @admin.display(description="role", ordering="membership__role")
    def role(self, user):
        member = getattr(user, "membership", None)
        return member.get_role_display() if member else ""
