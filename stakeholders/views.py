"""Pages of the stakeholders app."""

from django.shortcuts import render

from core.permissions import municipality_required


@municipality_required()
def index(request, municipality):
    return render(request, "stakeholders/index.html", {"municipality": municipality})
