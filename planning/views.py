"""The planning hub page; each feature has its own views in `planning/<feature>/views.py`."""

from django.shortcuts import render

from core.permissions import municipality_required


@municipality_required()
def index(request, municipality):
    return render(request, "planning/index.html", {"municipality": municipality})
