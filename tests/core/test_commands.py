import pytest
from django.core.management import CommandError, call_command

from core.demo import DEMO_USERS
from core.models import Membership, Municipality


def test_create_municipality_command_is_idempotent(db, capsys):
    args = [
        "--name",
        "Moers",
        "--slug",
        "moers",
        "--ags",
        "05170024",
        "--land",
        "NW",
        "--population",
        "104000",
    ]
    call_command("create_municipality", *args)
    call_command("create_municipality", *args)
    out = capsys.readouterr().out
    assert "created moers" in out and "updated moers" in out
    assert Municipality.objects.get(slug="moers").population == 104000


def test_create_municipality_rejects_bad_ags(db):
    with pytest.raises(CommandError, match="8 Ziffern"):
        call_command("create_municipality", "--name", "X", "--slug", "x", "--ags", "123", "--land", "NW")


def test_load_demo_twice_keeps_one_user_per_role(db):
    call_command("load_demo")
    call_command("load_demo")
    municipality = Municipality.objects.get(slug="musterstadt")
    assert municipality.population == 61240
    roles = dict(Membership.objects.filter(municipality=municipality).values_list("user__username", "role"))
    assert roles == {name: str(role) for name, role in DEMO_USERS.items()}


def test_load_demo_if_missing_leaves_an_existing_demo_alone(db):
    # run.sh calls it at every start: what users changed in the demo must survive a restart
    call_command("load_demo")
    Municipality.objects.filter(slug="musterstadt").update(population=70000)
    call_command("load_demo", "--if-missing")
    assert Municipality.objects.get(slug="musterstadt").population == 70000
