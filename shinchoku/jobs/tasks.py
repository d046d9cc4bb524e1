"""Tasks of the product's own that other apps enqueue (Django's task framework, the DB backend)."""

from __future__ import annotations

from django.core.mail import EmailMessage

from shinchoku.jobs.compat import task


@task(queue_name="mail")
def send_email(to: list[str], subject: str, body: str) -> int:
    """Send one plain-text e-mail; an SMTP failure fails the task (its result says why)."""
    message = EmailMessage(subject=subject, body=body, to=to)
    return message.send(fail_silently=False)
