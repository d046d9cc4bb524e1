"""Texts of shared templates changed for the staff work (the login page, the user menu and the
password-reset pages under accounts/templates), listed here so that makemessages puts them in
this app's catalogue."""

from django.utils.translation import gettext_noop

SHARED = [
    gettext_noop("Staff"),
    gettext_noop("Forgot your password?"),
    gettext_noop(
        "Enter the e-mail address registered for your account. We will send you a link to "
        "choose a new password."
    ),
    gettext_noop("E-mail"),
    gettext_noop("Send the link"),
    gettext_noop("Back to the login page"),
    gettext_noop("Check your e-mail"),
    gettext_noop(
        "If an account is registered with that address, an e-mail with a link to choose a new "
        "password has been sent to it. It may take a few minutes to arrive. If nothing arrives, "
        "check the address or ask an administrator of your organization."
    ),
    gettext_noop("Choose a new password"),
    gettext_noop("Change password"),
    gettext_noop("This link cannot be used"),
    gettext_noop("The link has expired or has already been used. Ask for a new one."),
    gettext_noop("Your password was changed."),
    gettext_noop("Log in with the new password"),
    gettext_noop("[Shinchoku] Choose a new password"),
    gettext_noop(
        "%(name)s\n\nA new password was asked for your Shinchoku account. Open the link below "
        "and choose a new password."
    ),
    gettext_noop(
        "Your login ID is: %(login)s\nIf you did not ask for this, ignore this e-mail: your "
        "password stays as it is."
    ),
]
