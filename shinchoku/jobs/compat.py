"""Django's task framework: `django.tasks` on Django 6, the `django-tasks` backport on 5.2."""

from __future__ import annotations

try:  # Django 6
    from django.tasks import TaskResultStatus, default_task_backend, task, task_backends
except ImportError:  # Django 5.2: the backport
    from django_tasks import TaskResultStatus, default_task_backend, task, task_backends

__all__ = ["TaskResultStatus", "default_task_backend", "task", "task_backends"]
