"""Localization pipeline for patient-facing medical content.

Stages, each a plain function from one record to the next:
normalize (raw page -> CleanDocument), extract (CleanDocument -> segments ->
.pot), update (.pot + .po -> .po), check (catalogs -> findings), assemble
(CleanDocument + catalog -> localized page).
"""

__version__ = "0.1.0"
