"""Write operations of the core app: municipalities, memberships, invitations (each writes its audit
entry), the worker self-test."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.jobs import job_start
from core.models import Invitation, Job, Membership, Municipality, Role

INVITATION_DAYS = 14
logger = logging.getLogger(__name__)


@transaction.atomic
def municipality_create_or_update(
    *,
    slug: str,
    name: str,
    ags: str,
    land: str,
    kind: str | None = None,
    population: int | None = None,
    actor=None,
) -> tuple[Municipality, bool]:
    """Create the municipality, or update the given fields of an existing one with that slug.

    Validates everything (AGS format, AGS matches Land) before writing; raises ValidationError.
    """
    municipality = Municipality.objects.select_for_update().filter(slug=slug).first()
    created = municipality is None
    if created:
        municipality = Municipality(slug=slug)
    values = {"name": name, "ags": ags, "land": land}
    if kind is not None:
        values["kind"] = kind
    if population is not None:
        values["population"] = population
    changes = audit.diff(municipality, values)
    for field, value in values.items():
        setattr(municipality, field, value)
    municipality.full_clean()
    municipality.save()
    if created or changes:
        audit.record(
            action="municipality.created" if created else "municipality.updated",
            municipality=municipality,
            actor=actor,
            target=municipality,
            changes=changes,
        )
    return municipality, created


@transaction.atomic
def membership_set(
    *,
    municipality: Municipality,
    username: str,
    role: str,
    password: str | None = None,
    email: str = "",
    actor=None,
) -> Membership:
    """Give a user (created if missing) a role in the municipality; an existing role is replaced."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username, defaults={"email": email})
    if created or password:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    previous = Membership.objects.filter(user=user, municipality=municipality).values_list("role", flat=True)
    old_role = previous.first()
    membership, _created = Membership.objects.update_or_create(
        user=user, municipality=municipality, defaults={"role": role}
    )
    if old_role != role:
        audit.record(
            action="membership.created" if old_role is None else "membership.role_changed",
            municipality=municipality,
            actor=actor,
            target=membership,
            target_label=user.get_username(),
            changes={"role": (old_role, role)},
        )
    return membership


def _admins_left(municipality: Municipality, *, without: Membership) -> bool:
    return (
        Membership.objects.filter(municipality=municipality, role=Role.ADMIN).exclude(pk=without.pk).exists()
    )


@transaction.atomic
def membership_role_change(*, membership: Membership, role: str, actor) -> Membership:
    """Change a member's role; the last administrator of a municipality cannot give up that role."""
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if role not in Role.values:
        raise ValidationError(_("Unbekannte Rolle."))
    if membership.role == role:
        return membership
    if membership.role == Role.ADMIN and not _admins_left(membership.municipality, without=membership):
        raise ValidationError(_("Die Kommune braucht mindestens eine Person mit der Rolle Administration."))
    old_role = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(
        action="membership.role_changed",
        municipality=membership.municipality,
        actor=actor,
        target=membership,
        target_label=membership.user.get_username(),
        changes={"role": (old_role, role)},
    )
    return membership


@transaction.atomic
def membership_deactivate(*, membership: Membership, actor) -> None:
    """End a member's access to the municipality at once (pages, API, live boards).

    The membership row goes; the audit log keeps who had which role. A user left without any membership
    is deactivated (cannot sign in) unless they are an installation admin; an invitation brings them back.
    """
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if membership.role == Role.ADMIN and not _admins_left(membership.municipality, without=membership):
        raise ValidationError(_("Die Kommune braucht mindestens eine Person mit der Rolle Administration."))
    user = membership.user
    audit.record(
        action="membership.deactivated",
        municipality=membership.municipality,
        actor=actor,
        target=membership,
        target_label=user.get_username(),
        changes={"role": (membership.role, None)},
    )
    membership.delete()
    if not user.is_superuser and not Membership.objects.filter(user=user).exists():
        get_user_model().objects.filter(pk=user.pk).update(is_active=False)


@transaction.atomic
def invitation_create(
    *, municipality: Municipality, role: str, email: str = "", created_by, accept_url_for=None
) -> Invitation:
    """A one-time invitation link with a role; e-mailed when an address is given.

    ``accept_url_for(invitation)`` builds the absolute link for the mail (the view knows the host).
    """
    if role not in Role.values:
        raise ValidationError(_("Unbekannte Rolle."))
    invitation = Invitation.objects.create(
        municipality=municipality,
        role=role,
        email=email.strip(),
        token=secrets.token_urlsafe(32),
        created_by=created_by,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    audit.record(
        action="invitation.created",
        municipality=municipality,
        actor=created_by,
        target=invitation,
        target_label=invitation.email or _("Einladungslink"),
        changes={"role": (None, role)},
    )
    if invitation.email and accept_url_for is not None:
        subject = _("Einladung zu Spielraum: %(name)s") % {"name": municipality.name}
        body = _(
            "Sie wurden eingeladen, in Spielraum bei %(name)s mitzuarbeiten (Rolle: %(role)s).\n\n"
            "Einladung annehmen: %(link)s\n\nDer Link gilt %(days)s Tage und nur einmal."
        ) % {
            "name": municipality.name,
            "role": invitation.get_role_display(),
            "link": accept_url_for(invitation),
            "days": INVITATION_DAYS,
        }
        transaction.on_commit(lambda: _send_invitation(subject, body, invitation.email))
    return invitation


def _send_invitation(subject: str, body: str, to: str) -> None:
    """Mail the link; a mail server that is down must not undo the invitation (the admin can copy it)."""
    try:
        send_mail(subject, body, None, [to])
    except OSError:
        logger.warning("Could not send the invitation mail to %s", to, exc_info=True)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor) -> Invitation:
    updated = Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    if updated:
        audit.record(
            action="invitation.revoked",
            municipality=invitation.municipality,
            actor=actor,
            target=invitation,
            target_label=invitation.email or _("Einladungslink"),
        )
    invitation.refresh_from_db()
    return invitation


class InvitationInvalid(PermissionDenied):
    """The link was used, revoked or has expired."""


@transaction.atomic
def invitation_accept(
    *, token: str, user=None, username: str = "", password: str = "", email: str = ""
) -> Membership:
    """Use an invitation: a signed-in ``user`` joins; otherwise a new account ``username``/``password``.

    The invitation is claimed with a conditional update, so that a link used twice at once gives one
    membership. A role the user already has elsewhere in the municipality is replaced by the invited one
    only if it is not lower (an admin who clicks a viewer link stays admin).
    """
    now = timezone.now()
    claimed = Invitation.objects.filter(
        token=token, accepted_at=None, revoked_at=None, expires_at__gt=now
    ).update(accepted_at=now)
    if not claimed:
        raise InvitationInvalid(
            _("Diese Einladung ist nicht mehr gültig (benutzt, widerrufen oder abgelaufen).")
        )
    invitation = Invitation.objects.select_related("municipality").get(token=token)
    user_model = get_user_model()
    if user is None or not user.is_authenticated:
        username = username.strip()
        if not username:
            raise ValidationError({"username": _("Bitte einen Benutzernamen angeben.")})
        if user_model.objects.filter(username__iexact=username).exists():
            raise ValidationError(
                {
                    "username": _(
                        "Diesen Benutzernamen gibt es schon. Bitte erst anmelden oder einen anderen wählen."
                    )
                }
            )
        user = user_model(username=username, email=email or invitation.email)
        validate_password(password, user)
        user.set_password(password)
        user.save()
    elif not user.is_active:
        user_model.objects.filter(pk=user.pk).update(is_active=True)
    existing = Membership.objects.filter(user=user, municipality=invitation.municipality).first()
    order = list(Role.values)  # admin first: a lower index is a stronger role
    if existing is None or order.index(invitation.role) < order.index(existing.role):
        membership = membership_set(
            municipality=invitation.municipality,
            username=user.get_username(),
            role=invitation.role,
            actor=user,
        )
    else:
        membership = existing
    Invitation.objects.filter(pk=invitation.pk).update(accepted_by=user)
    audit.record(
        action="invitation.accepted",
        municipality=invitation.municipality,
        actor=user,
        target=invitation,
        target_label=user.get_username(),
        changes={"role": (None, membership.role)},
    )
    return membership


def selftest_start(
    *, municipality: Municipality | None, requested_by, steps: int = 5, step_seconds: float = 0.5
) -> Job:
    """Start the worker self-test job (admins check that background processing works end to end)."""
    return job_start(
        "core.selftest",
        municipality=municipality,
        requested_by=requested_by,
        params={"steps": steps, "step_seconds": step_seconds},
    )
