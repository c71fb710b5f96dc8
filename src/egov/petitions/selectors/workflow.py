"""Reads the workflow's forms need: the units and officers a petition can be assigned to, a
petition of the same agency by its code (the duplicate field)."""

from __future__ import annotations

from django.utils import timezone

from egov.core.models import OrgUnit, Position, User

from ..models import Petition


def assignable_units(petition: Petition) -> list[OrgUnit]:
    """The agency and its units (one query)."""
    agency = petition.agency
    return list(OrgUnit.objects.filter(path__startswith=agency.path).order_by("path")[:500])


def assignable_officers(petition: Petition) -> list[User]:
    """Active officers holding a post in the agency or its units today (one query)."""
    today = timezone.localdate()
    ids = (Position.objects.filter(org_unit__path__startswith=petition.agency.path,
                                   valid_from__lte=today)
           .exclude(valid_to__lt=today).values("user_id"))
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "id")[:500])


def same_agency_id(petition: Petition, code: str) -> int | None:
    """The id of the petition of the same agency with this code (None when there is none)."""
    code = (code or "").strip()
    if not code:
        return None
    return (Petition.objects.filter(agency_id=petition.agency_id, code__iexact=code)
            .values_list("pk", flat=True).first())
