"""The fields of a roster row: pure data, shared by the catalogue, the roster reader and the CLI."""

from __future__ import annotations

__all__ = ["ROW_FIELDS"]

ROW_FIELDS: tuple[str, ...] = (
    "student_number",
    "learner_id",
    "name",
    "given_name",
    "family_name",
    "name_prefix",
    "name_suffix",
    "email",
    "grade",
    "completed",
    "issued",
    "activity_start",
)
"""The per-learner fields a roster row may give (see :mod:`czmc.catalogue`)."""
