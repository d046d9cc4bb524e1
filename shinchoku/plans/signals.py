"""Signals other apps listen to, so that plans never imports them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once a transaction that wrote to a plan's structure has committed (editor saves, loads,
# approvals: every write that takes `editing.lock_plan`). Arguments: plan_id.
plan_written = Signal()
