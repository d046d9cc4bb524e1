"""An e-mail backend for the tests: the locmem outbox, refusing mail to shien@example.jp."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class FailFor(EmailBackend):
    def send_messages(self, messages):
        for m in messages:
            if "shien@example.jp" in m.to:
                raise smtplib.SMTPRecipientsRefused({"shien@example.jp": (550, b"no such user")})
        return super().send_messages(messages)


class FailAll(EmailBackend):
    """The mail server is down: every message fails."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
