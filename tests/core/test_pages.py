"""Core pages a user meets: the first-run checklist, readable job names, the 404 page."""

import pytest
from django.urls import reverse

from core.models import Job, Role

pytestmark = pytest.mark.django_db


def test_new_municipality_shows_the_first_run_checklist(client, municipality, member_factory):
    client.force_login(member_factory(municipality, Role.ADMIN))
    html = client.get(reverse("municipality-overview", kwargs={"slug": municipality.slug})).content.decode()
    for step in (
        "Haushalt importieren",
        "Eröffnungsbilanz eintragen",
        "Bevölkerung importieren",
        "Szenario anlegen",
    ):
        assert step in html
    assert reverse("finance:upload", kwargs={"slug": municipality.slug}) in html


def test_viewer_sees_the_steps_without_links_they_cannot_use(client, municipality, member_factory):
    client.force_login(member_factory(municipality, Role.VIEWER))
    html = client.get(reverse("municipality-overview", kwargs={"slug": municipality.slug})).content.decode()
    assert "Haushalt importieren" in html
    assert reverse("finance:upload", kwargs={"slug": municipality.slug}) not in html


def test_jobs_are_named_in_words_not_task_keys(client, municipality, member_factory):
    user = member_factory(municipality, Role.ADMIN)
    job = Job.objects.create(kind="planning.run_projection", municipality=municipality, requested_by=user)
    client.force_login(user)
    html = client.get(reverse("job-detail", kwargs={"job_id": job.pk})).content.decode()
    assert "Projektion berechnen" in html and "planning.run_projection" not in html
    assert job.as_event()["kind_label"] == "Projektion berechnen"


def test_unknown_address_shows_the_friendly_page_also_in_development(client, settings):
    settings.DEBUG = True
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()
    assert "debug-404" not in response.content.decode()
    technical = client.get("/gibt-es-nicht/?debug-404")
    assert technical.status_code == 404 and "DEBUG = True" in technical.content.decode()
