"""The management commands: import (all or nothing), export, network snapshot, retention reminder."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from stakeholders.models import NetworkSnapshot, Stakeholder
from tests.stakeholders.factories import PersonFactory, RelationshipFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


def test_import_check_and_apply(municipality, tmp_path):
    good = tmp_path / "akteure.csv"
    good.write_text("Name;Sektor\nTafel;third\nSparkasse;Markt\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_stakeholders", str(good), "--municipality", "musterstadt", "--check", stdout=out)
    assert "2 row(s)" in out.getvalue() and not Stakeholder.objects.exists()
    call_command("import_stakeholders", str(good), "--municipality", "musterstadt", stdout=out)
    assert Stakeholder.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("Name;Sektor\nNeu;third\nX;Kirche\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_stakeholders", str(bad), "--municipality", "musterstadt", stderr=err)
    assert "line 3, column 'Sektor'" in err.getvalue()
    assert Stakeholder.objects.count() == 2


def test_export_pseudonymises_persons_unless_asked(municipality, tmp_path):
    StakeholderFactory(municipality=municipality, name="Caritas")
    PersonFactory(municipality=municipality, name="Erika Geheim")
    target = tmp_path / "out.csv"
    args = ("export_stakeholders", "--municipality", "musterstadt", "--output", str(target))
    call_command(*args, stdout=io.StringIO())
    text = target.read_text(encoding="utf-8-sig")
    assert "Caritas" in text and "Erika Geheim" not in text
    call_command(*args, "--with-personal-data", stdout=io.StringIO())
    assert "Erika Geheim" in target.read_text(encoding="utf-8-sig")


def test_network_snapshot_command(municipality):
    RelationshipFactory(source__municipality=municipality)
    out = io.StringIO()
    call_command("stakeholder_network", "--municipality", "musterstadt", "--date", "2026-01-01", stdout=out)
    assert "2 nodes, 1 edges" in out.getvalue()
    assert NetworkSnapshot.objects.get().graph_date == dt.date(2026, 1, 1)
    with pytest.raises(CommandError):
        call_command("stakeholder_network", "--municipality", "musterstadt", "--date", "gestern")


def test_retention_reminder(municipality):
    out = io.StringIO()
    call_command("stakeholder_retention", stdout=out)
    assert "no retention date reached" in out.getvalue()
    person = PersonFactory(municipality=municipality, retention_until=dt.date(2020, 1, 1))
    with pytest.raises(CommandError) as exc:
        call_command("stakeholder_retention", "--municipality", "musterstadt", stdout=out)
    assert exc.value.returncode == 2 and f"person {person.pk}" in out.getvalue()
