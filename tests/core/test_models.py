import pytest
from django.core.exceptions import ValidationError

from core.models import Municipality, validate_ags
from core.services import municipality_create_or_update


@pytest.mark.parametrize("ags", ["05562014", "08226068", "16051000"])
def test_valid_ags_passes(ags):
    validate_ags(ags)


@pytest.mark.parametrize("ags", ["5562014", "055620145", "0556201A", "17000000", "00123456", ""])
def test_invalid_ags_is_rejected(ags):
    with pytest.raises(ValidationError):
        validate_ags(ags)


def test_ags_must_belong_to_the_land(db):
    with pytest.raises(ValidationError) as excinfo:
        municipality_create_or_update(slug="reilingen", name="Reilingen", ags="08226068", land="NW")
    assert "BW" in str(excinfo.value)


def test_create_municipality_is_idempotent_by_slug(db):
    first, created = municipality_create_or_update(slug="moers", name="Moers", ags="05170024", land="NW")
    second, created_again = municipality_create_or_update(
        slug="moers", name="Stadt Moers", ags="05170024", land="NW", population=104000
    )
    assert created and not created_again
    assert first.pk == second.pk
    assert Municipality.objects.get(slug="moers").name == "Stadt Moers"
    assert Municipality.objects.count() == 1
