"""The forgotten-password e-mail, sent through the mail task queue instead of in the request.

Django's PasswordResetForm answers the same whether or not the address is known (no account
enumeration); it sends only to active users with a usable password. Links start with
SHINCHOKU_BASE_URL, never with the Host header of the request.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.template import loader

from shinchoku.jobs.tasks import send_email


class QueuedPasswordResetForm(PasswordResetForm):
    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        context = {**context, "base_url": settings.SHINCHOKU_BASE_URL}
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        to = [to_email]
        transaction.on_commit(lambda: send_email.enqueue(to, subject, body))
