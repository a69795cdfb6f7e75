"""Pages of the planning app: the hub here, projections and resilience in their modules."""

from django.shortcuts import render

from core.permissions import municipality_required


@municipality_required()
def index(request, municipality):
    return render(request, "planning/index.html", {"municipality": municipality})
