"""Pages of the core app: start page, municipality overview, job progress."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core import selectors, services
from core.models import Job
from core.navigation import overview_panels
from core.permissions import Capability, can, municipality_required, visible_municipalities


@login_required
def home(request):
    municipalities = list(visible_municipalities(request.user))
    if len(municipalities) == 1:
        return redirect(municipalities[0])
    return render(request, "core/home.html", {"municipalities": municipalities})


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
