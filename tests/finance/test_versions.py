"""Version status, the current adopted budget as the default everywhere, and the import's identity."""

import pytest
from django.core.exceptions import ValidationError

from finance import selectors, services
from finance.models import BudgetLine, BudgetVersion
from tests.finance.factories import import_bytes, sample_csv


def test_an_upload_never_displaces_the_current_adopted_budget(municipality):
    # Given an adopted budget marked current
    adopted = import_bytes(municipality, sample_csv(), status="adopted", make_current=True).version
    assert selectors.current_budget_version(municipality) == adopted
    # When an older year's file is uploaded afterwards (a draft by default)
    later = import_bytes(municipality, sample_csv(r2c5="1,00"), filename="alt.csv").version
    # Then the current budget stays the default of every page
    assert later.status == BudgetVersion.Status.DRAFT and not later.is_current
    assert selectors.current_budget_version(municipality) == adopted
    assert selectors.default_version([later, adopted]) == adopted
    assert selectors.current_version_ids([municipality.pk]) == {municipality.pk: adopted.pk}
    assert selectors.latest_plan_summary(municipality)["version"] == adopted


def test_marking_another_version_current_moves_the_mark(municipality):
    first = import_bytes(municipality, sample_csv(), status="adopted", make_current=True).version
    second = import_bytes(municipality, sample_csv(r2c5="2,00"), filename="nachtrag.csv").version
    services.version_set_status(version=second, status="supplementary", make_current=True)
    first.refresh_from_db()
    assert not first.is_current
    assert selectors.current_budget_version(municipality).pk == second.pk
    assert BudgetVersion.objects.filter(is_current=True).count() == 1


def test_a_draft_cannot_be_the_current_budget(municipality):
    version = import_bytes(municipality, sample_csv()).version
    with pytest.raises(ValidationError):
        services.version_set_status(version=version, status="draft", make_current=True)


def test_without_a_marked_budget_the_newest_adopted_version_is_the_default(municipality):
    adopted = import_bytes(municipality, sample_csv(), status="adopted").version
    import_bytes(municipality, sample_csv(r2c5="3,00"), filename="entwurf.csv")
    assert selectors.current_budget_version(municipality) == adopted


def test_an_explicit_encoding_is_part_of_the_imports_identity(municipality):
    # Given a file already imported with the detected reading
    data = sample_csv()
    first = import_bytes(municipality, data)
    assert first.status == "imported"
    # When the same bytes are imported again: unchanged
    assert import_bytes(municipality, data).status == "unchanged"
    # But with an explicit encoding it is a new import (no "unchanged" shortcut)
    again = import_bytes(municipality, data, encoding="latin-1")
    assert again.status == "imported" and again.version.read_options == "encoding=latin-1"
    assert import_bytes(municipality, data, encoding="latin-1").status == "unchanged"


def test_kameral_lines_are_stored_as_their_own_statements(municipality):
    data = (
        b"Gliederung;Bezeichnung;Jahr;Status;Richtung;HH-Teil;Betrag\r\n"
        b"0200;Hauptverwaltung;2017;Haushaltsansatz;Einnahmen;VwH;1000\r\n"
        b"0200;Hauptverwaltung;2017;Haushaltsansatz;Ausgaben;VmH;400\r\n"
    )
    outcome = import_bytes(municipality, data)
    assert outcome.status == "imported", [i.message_en for i in outcome.errors]
    statements = set(BudgetLine.objects.filter(version=outcome.version).values_list("statement", flat=True))
    assert statements == {"kameral_vwh", "kameral_vmh"}
    assert not BudgetLine.objects.filter(version=outcome.version, statement="results").exists()


def test_a_default_phase_does_not_override_the_files_phase_column(municipality):
    data = b"Produkt;Bezeichnung;Jahr;Art;Richtung;Betrag\r\n01.01;Rat;2017;Ist;Aufwand;100\r\n"
    outcome = import_bytes(municipality, data, phase="plan")
    assert outcome.status == "imported"
    assert [t["phase"] for t in outcome.totals] == ["actual"]
    assert "default_phase_ignored" in [w.code for w in outcome.warnings]


def test_the_data_page_sets_status_and_the_current_budget(client, municipality, member_factory):
    from core.models import Role

    user = member_factory(municipality, Role.FINANCE)
    client.force_login(user)
    version = import_bytes(municipality, sample_csv()).version
    url = f"/kommunen/{municipality.slug}/haushalt/versionen/{version.pk}/status/"
    # a draft cannot be made current: a message, no 500, nothing changed
    response = client.post(url, {"status": "draft", "make_current": "on"}, follow=True)
    assert response.status_code == 200
    version.refresh_from_db()
    assert not version.is_current
    client.post(url, {"status": "adopted", "make_current": "on"})
    version.refresh_from_db()
    assert (version.status, version.is_current) == ("adopted", True)
    page = client.get(f"/kommunen/{municipality.slug}/haushalt/daten/").content.decode()
    assert 'data-testid="version-status"' in page


def test_value_translations_are_kept_in_the_import_profile(municipality):
    from finance.importing import preview as importer_preview

    # Given a long file whose phase cells say "Rechng." and a profile saved with that translation
    data = b"Produkt;Bezeichnung;Jahr;Art;Richtung;Betrag\r\n01.01;Rat;2017;Rechng.;Aufwand;100\r\n"
    mapping = importer_preview(data).mapping
    mapping.phase = "Art"
    mapping.value_maps = {"phase": {"Rechng.": "actual"}}
    services.profile_save(municipality=municipality, name="Lang", mapping=mapping)
    # When next year's file with the same header comes
    next_year = data.replace(b"2017", b"2018").replace(b"100", b"120")
    outcome = import_bytes(municipality, next_year, filename="2018.csv")
    # Then it imports without questions, with the translation from the profile
    assert outcome.status == "imported", [i.message_en for i in outcome.errors]
    assert outcome.detected["profile"] == "Lang"
    assert [(t["year"], t["phase"]) for t in outcome.totals] == [(2018, "actual")]
