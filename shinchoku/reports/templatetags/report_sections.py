"""`{% load report_sections %}{% goal_sections report %}`: the committee report's goal sections,
written in Python (shinchoku.reports.report_html) for the page and the PDF alike."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from shinchoku.reports.report_html import goal_sections as _goal_sections

register = template.Library()


@register.simple_tag
def goal_sections(report) -> SafeString:
    """Every 基本目標's section of the report: its tables and its indicators' charts."""
    return _goal_sections(report)
