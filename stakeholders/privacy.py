"""Field-level access to persons' data: who may see a person's name and contacts.

Roles that plan (admin, finance, planner) see persons in full; every other member (viewer, facilitator)
sees organisations in full and persons only as "Person #id" with sector, district and attitude, never
their name or contacts. Every view, API response and export asks ``personal_visible`` first.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.permissions import Capability


def personal_visible(capabilities) -> bool:
    """May a member with these capabilities see persons' names and contacts?"""
    return Capability.PLAN in capabilities


def display_name(stakeholder, personal: bool) -> str:
    """The name to show: a person's name only to those who may see it; erased persons never have one."""
    if stakeholder.entity == "person" and (not personal or stakeholder.erased_at is not None):
        return _("Person #%(id)s") % {"id": stakeholder.pk}
    return stakeholder.name
