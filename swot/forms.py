"""Forms of the swot pages (shape only; rules live in the services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from swot.models import Board


class BoardForm(forms.ModelForm):
    class Meta:
        model = Board
        fields = [
            "title",
            "description",
            "anonymous",
            "hide_while_collecting",
            "anonymous_votes",
            "vote_budget",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class GuestJoinForm(forms.Form):
    display_name = forms.CharField(
        label=_("Ihr Anzeigename"), max_length=80, widget=forms.TextInput(attrs={"autocomplete": "nickname"})
    )


class InviteForm(forms.Form):
    label = forms.CharField(label=_("Bezeichnung (z. B. Workshop 12.5.)"), max_length=120, required=False)
    days = forms.IntegerField(label=_("Gültig (Tage)"), min_value=1, max_value=90, initial=7)
