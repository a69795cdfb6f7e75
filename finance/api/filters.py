"""Filters of the budget lines endpoint."""

from django_filters import rest_framework as filters

from finance.models import DIRECTION_CHOICES, PHASE_CHOICES, STATEMENT_CHOICES, BudgetLine


class BudgetLineFilter(filters.FilterSet):
    version = filters.NumberFilter(field_name="version_id", help_text="default: the newest version")
    year = filters.NumberFilter()
    phase = filters.ChoiceFilter(choices=PHASE_CHOICES)
    statement = filters.ChoiceFilter(choices=STATEMENT_CHOICES)
    direction = filters.ChoiceFilter(choices=DIRECTION_CHOICES)
    area = filters.CharFilter(help_text="product area, e.g. 05")
    account_group = filters.CharFilter(help_text="two-digit account group, e.g. 53")
    product_code = filters.CharFilter()

    class Meta:
        model = BudgetLine
        fields = [
            "version",
            "year",
            "phase",
            "statement",
            "direction",
            "area",
            "account_group",
            "product_code",
        ]
