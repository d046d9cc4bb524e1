from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from shinchoku.accounts import views
from shinchoku.accounts.forms import LoginForm
from shinchoku.staff import views as staff_views
from shinchoku.staff.password_reset import QueuedPasswordResetForm

app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            redirect_authenticated_user=True,
            authentication_form=LoginForm,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.ChangePasswordView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    # A forgotten password: the e-mail (queued), its link, the new password.
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=QueuedPasswordResetForm,
            template_name="accounts/password_reset.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    # The invitation link of a new person (the view is the staff app's): here, not under
    # /staff/<slug>/, so that no organization's slug can collide with it.
    path(
        "invitation/<uidb64>/<token>/",
        staff_views.AcceptInvitationView.as_view(),
        name="invitation_accept",
    ),
    path("locked/", views.locked_accounts, name="locked"),
    path("locked/unlock/", views.unlock, name="unlock"),
]
