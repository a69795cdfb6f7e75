"""Pages of the core app: start page, municipality overview, job progress, administration, audit log."""

from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import forms, selectors, services
from core.models import Invitation, Job, Membership, Municipality, Role
from core.navigation import overview_panels, setup_steps
from core.permissions import Capability, can, municipality_required, visible_municipalities


@login_required
def home(request):
    municipalities = list(visible_municipalities(request.user))
    if len(municipalities) == 1:
        return redirect(municipalities[0])
    return render(request, "core/home.html", {"municipalities": municipalities})


def _checklist(request, municipality) -> list[dict] | None:
    """The first-run checklist, or None once every step is done."""
    steps = [
        {
            "label": step.label,
            "help": step.help,
            "url": reverse(step.url_name, kwargs={"slug": municipality.slug}),
            "done": step.done(municipality),
            "allowed": step.capability in request.capabilities,
        }
        for step in setup_steps()
    ]
    return None if all(s["done"] for s in steps) else steps


@municipality_required()
def municipality_overview(request, municipality):
    panels = [
        {"template": panel.template, **panel.context(request, municipality)} for panel in overview_panels()
    ]
    return render(
        request,
        "core/overview.html",
        {
            "municipality": municipality,
            "panels": panels,
            "members": selectors.members_of(municipality)
            if can(request.user, municipality, Capability.MANAGE)
            else None,
            "recent_jobs": selectors.recent_jobs(municipality),
            "checklist": _checklist(request, municipality),
        },
    )


@login_required
def job_detail(request, job_id: int):
    job = get_object_or_404(Job.objects.visible_to(request.user).select_related("municipality"), pk=job_id)
    if job.municipality is not None:
        request.municipality = job.municipality
        request.capabilities = frozenset(c for c in Capability if can(request.user, job.municipality, c))
    return render(request, "core/job_detail.html", {"job": job})


@require_POST
@municipality_required(Capability.MANAGE)
def selftest_start(request, municipality):
    job = services.selftest_start(municipality=municipality, requested_by=request.user)
    return redirect("job-detail", job_id=job.pk)


# --------------------------------------------------------------------------------------------------
# Administration in the browser: installation admins create municipalities; municipality admins
# (capability MANAGE) edit theirs, invite colleagues, change roles and deactivate members.
# --------------------------------------------------------------------------------------------------


def _managed_municipalities(user):
    if user.is_superuser:
        return Municipality.objects.all()
    return Municipality.objects.filter(memberships__user=user, memberships__role=Role.ADMIN).distinct()


@login_required
def administration(request):
    municipalities = list(_managed_municipalities(request.user))
    if not municipalities and not request.user.is_superuser:
        raise PermissionDenied
    return render(
        request,
        "core/administration.html",
        {"municipalities": municipalities, "can_create": request.user.is_superuser},
    )


@login_required
def municipality_create(request):
    if not request.user.is_superuser:
        raise PermissionDenied
    form = forms.MunicipalityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            municipality, _created = services.municipality_create_or_update(**data, actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Kommune „%(name)s“ angelegt.") % {"name": municipality.name})
            return redirect("municipality-admin", slug=municipality.slug)
    return render(request, "core/municipality_form.html", {"form": form})


def _accept_url(request):
    return lambda invitation: request.build_absolute_uri(invitation.get_absolute_url())


@municipality_required(Capability.MANAGE)
def municipality_admin(request, municipality):
    """Settings, members and invitations of one municipality."""
    form = forms.MunicipalityForm(request.POST or None, instance=municipality, prefix="m")
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "slug"}
        try:
            services.municipality_create_or_update(slug=municipality.slug, **data, actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Gespeichert."))
            return redirect("municipality-admin", slug=municipality.slug)
    new_link = request.session.pop("new_invitation", None)
    return render(
        request,
        "core/municipality_admin.html",
        {
            "municipality": municipality,
            "form": form,
            "invite_form": forms.InvitationForm(),
            "members": selectors.members_of(municipality),
            "roles": Role.choices,
            "invitations": selectors.open_invitations(municipality),
            "new_link": new_link,
        },
    )


@require_POST
@municipality_required(Capability.MANAGE)
def invitation_create(request, municipality):
    form = forms.InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte Rolle und E-Mail prüfen."))
        return redirect("municipality-admin", slug=municipality.slug)
    invitation = services.invitation_create(
        municipality=municipality,
        role=form.cleaned_data["role"],
        email=form.cleaned_data["email"],
        created_by=request.user,
        accept_url_for=_accept_url(request),
    )
    request.session["new_invitation"] = request.build_absolute_uri(invitation.get_absolute_url())
    if invitation.email:
        messages.success(request, _("Einladung an %(email)s verschickt.") % {"email": invitation.email})
    else:
        messages.success(request, _("Einladungslink erstellt. Kopieren Sie ihn und geben Sie ihn weiter."))
    return redirect("municipality-admin", slug=municipality.slug)


@require_POST
@municipality_required(Capability.MANAGE)
def invitation_revoke(request, municipality, invitation_id: int):
    invitation = get_object_or_404(Invitation, pk=invitation_id, municipality=municipality)
    services.invitation_revoke(invitation=invitation, actor=request.user)
    messages.success(request, _("Einladung widerrufen."))
    return redirect("municipality-admin", slug=municipality.slug)


@require_POST
@municipality_required(Capability.MANAGE)
def membership_role(request, municipality, membership_id: int):
    membership = get_object_or_404(Membership, pk=membership_id, municipality=municipality)
    form = forms.RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Unbekannte Rolle."))
        services.membership_role_change(
            membership=membership, role=form.cleaned_data["role"], actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Rolle geändert."))
    return redirect("municipality-admin", slug=municipality.slug)


@require_POST
@municipality_required(Capability.MANAGE)
def membership_deactivate(request, municipality, membership_id: int):
    membership = get_object_or_404(Membership, pk=membership_id, municipality=municipality)
    try:
        services.membership_deactivate(membership=membership, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Zugang von %(user)s beendet.") % {"user": membership.user.get_username()}
        )
    return redirect("municipality-admin", slug=municipality.slug)


def invitation_accept(request, token: str):
    """The link in an invitation: a new user sets a password, a signed-in user joins with one click."""
    invitation = Invitation.objects.select_related("municipality").filter(token=token).first()
    if invitation is None or not invitation.is_open:
        return render(request, "core/invitation_invalid.html", status=410 if invitation else 404)
    signed_in = request.user.is_authenticated
    form = None if signed_in else forms.InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and (signed_in or form.is_valid()):
        try:
            if signed_in:
                services.invitation_accept(token=token, user=request.user)
            else:
                services.invitation_accept(
                    token=token,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                )
        except services.InvitationInvalid:
            return render(request, "core/invitation_invalid.html", status=410)
        except ValidationError as exc:
            if form is None:
                messages.error(request, " ".join(exc.messages))
            elif hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error("password1", exc)
        else:
            if not signed_in:
                user = authenticate(
                    request, username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
                )
                if user is not None:
                    auth_login(request, user)
            messages.success(request, _("Willkommen bei %(name)s.") % {"name": invitation.municipality.name})
            return redirect(invitation.municipality)
    return render(request, "core/invitation_accept.html", {"invitation": invitation, "form": form})


@municipality_required(Capability.MANAGE)
def audit_log(request, municipality):
    entries = Paginator(selectors.audit_entries(municipality), 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"municipality": municipality, "entries": entries})


def glossary(request):
    """The glossary (also for visitors who are not signed in: guests of a workshop)."""
    from core.glossary import sorted_terms

    return render(request, "core/glossary.html", {"terms": sorted_terms()})
