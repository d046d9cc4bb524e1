"""The login form: Django's, with the field called ユーザー名 as on the rest of the login pages."""

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Log in with a user name and password (drawn through components/field.html)."""

    def __init__(self, request=None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("User name")
