"""Backup and restore of a whole installation: `shinchoku backup`, `shinchoku restore`."""
