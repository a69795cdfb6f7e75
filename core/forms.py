"""Form fields every app uses for numbers: German input ("85.000", "85.000,50", "2,5 %"), German display.

``NumberField`` replaces ``forms.DecimalField(localize=True)`` (which reads "85.000" as 85 and refuses
"85.000,50"); ``PercentField`` takes percent like every form ("2,5") and hands the service a fraction
(0.025); ``year_choices`` gives year dropdowns without thousands separators ("2025", not "2.025").

The counterpart of ``core.api.fields``: Django's number fields refuse NaN and Infinity, but without bounds
they accept ``1e308`` and 30-digit integers, which overflow ``Decimal`` columns and give nonsense
projections. ``bounded_decimal``/``bounded_int`` take the bounds as required keywords (German input:
``bounded_decimal`` is a ``NumberField``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.models import Municipality, Role
from core.numbers import NumberFormatError, format_number, parse_decimal
from core.params import ID_MAX

HUNDRED = Decimal(100)


class NumberInput(forms.TextInput):
    """A text box for numbers (not ``type=number``, which refuses a decimal comma in some browsers and
    shows spinners): numeric keyboard on phones, value shown in the active language's format."""

    input_type = "text"

    def __init__(self, attrs: dict | None = None, *, decimals: int | None = None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})
        self.decimals = decimals

    def format_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return value  # the user's own text after a failed validation: show it unchanged
        number = Decimal(str(value))
        decimals = self.decimals
        if decimals is None:  # as many as the value has, without trailing zeros
            decimals = max(0, -number.normalize().as_tuple().exponent)
        return format_number(number, decimals, language=get_language() or "de")


class NumberField(forms.DecimalField):
    """A decimal number typed the German way (or the English way): "85.000" = 85000, "85.000,50"."""

    widget = NumberInput
    default_error_messages = {"invalid": _("Bitte eine Zahl eingeben, z. B. 85.000 oder 85.000,50.")}

    def __init__(self, *args: Any, display_decimals: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("widget", NumberInput(decimals=display_decimals))
        kwargs.pop("localize", None)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        try:
            return parse_decimal(value)
        except NumberFormatError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def widget_attrs(self, widget: forms.Widget) -> dict:
        # DecimalField would add type=number's min/max/step attributes; a text box only needs inputmode.
        return {}


class WholeNumberField(NumberField):
    """A count typed the German way ("103.725" inhabitants = 103725); ``cleaned_data`` holds an int."""

    default_error_messages = {"invalid": _("Bitte eine ganze Zahl eingeben, z. B. 103.725.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("decimal_places", 0)
        kwargs.setdefault("display_decimals", 0)
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> int | None:
        number = super().clean(value)
        return None if number is None else int(number)


class PercentField(NumberField):
    """Percent as people type it ("2,5" or "2,5 %"); ``cleaned_data`` holds the fraction (0.025).

    ``min_value``/``max_value`` are given in percent. Initial values are fractions too.
    """

    default_error_messages = {"invalid": _("Bitte einen Prozentwert eingeben, z. B. 2,5.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", None)
        kwargs.setdefault("decimal_places", None)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return (Decimal(str(value)) * HUNDRED).normalize()
        return value

    def clean(self, value: Any) -> Decimal | None:
        percent = super().clean(value)
        return None if percent is None else percent / HUNDRED

    def has_changed(self, initial: Any, data: Any) -> bool:
        return super().has_changed(self.prepare_value(initial), data)


def bounded_decimal(
    *, min_value: Decimal | int | str, max_value: Decimal | int | str, **kwargs
) -> NumberField:
    """A decimal within ``min_value..max_value``, typed the German way ("85.000,50")."""
    return NumberField(min_value=Decimal(min_value), max_value=Decimal(max_value), **kwargs)


def bounded_int(*, min_value: int, max_value: int, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(min_value=min_value, max_value=max_value, **kwargs)


def revision_field() -> forms.IntegerField:
    """The revision an editor started from (hidden); 0 = "I saw none" (a new object)."""
    return forms.IntegerField(required=False, min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)


def id_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


def year_choices(years, *, empty: str | None = None) -> list[tuple[str, str]]:
    """(value, label) pairs for a year dropdown: labels as plain text, so templates cannot group them."""
    choices = [(str(year), str(year)) for year in years]
    return [("", empty), *choices] if empty is not None else choices


class EmptyLabelMixin:
    """German first choice for optional selects instead of Django's "---------"."""

    empty_label = _("– bitte wählen –")


# --------------------------------------------------------------------------------------------------
# Administration in the browser (shape only; the services decide)
# --------------------------------------------------------------------------------------------------


class MunicipalityForm(forms.ModelForm):
    """Create (installation admins) or edit (municipality admins) a municipality."""

    class Meta:
        model = Municipality
        fields = ["name", "slug", "ags", "land", "kind", "population"]
        help_texts = {
            "slug": _("Kurzname in Adressen, nur Kleinbuchstaben, Ziffern und Bindestriche, z. B. „moers“."),
            "ags": _("Amtlicher Gemeindeschlüssel, 8 Ziffern, z. B. 05170024."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["slug"].disabled = True  # addresses and bookmarks keep working
            self.fields["slug"].help_text = _(
                "Der Kurzname bleibt, damit Links und Lesezeichen gültig bleiben."
            )
        self.fields["population"] = WholeNumberField(
            label=self.fields["population"].label, required=False, min_value=0
        )

    def validate_unique(self) -> None:  # the service updates by slug; a new slug must be free
        if self.instance.pk is None:
            super().validate_unique()


class InvitationForm(forms.Form):
    role = forms.ChoiceField(label=_("Rolle"), choices=Role.choices, initial=Role.VIEWER)
    email = forms.EmailField(
        label=_("E-Mail (optional)"),
        required=False,
        help_text=_("Mit Adresse wird der Link verschickt; ohne Adresse kopieren Sie ihn selbst."),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rolle"), choices=Role.choices)


class InvitationAcceptForm(forms.Form):
    """A new account from an invitation: user name and password (twice)."""

    username = forms.CharField(
        label=_("Benutzername"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password1 = forms.CharField(
        label=_("Passwort"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Passwort wiederholen"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("Die Passwörter stimmen nicht überein."))
        return data
