"""python manage.py set_balance_sheet --municipality SLUG --year 2024 --general-reserve N
--equalisation-reserve N [--equity N] [--balance-sheet-total N] [--investment-loans N] [...] [--json]"""

import json
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.cli import municipality_by_slug
from planning.resilience.models import BalanceSheet
from planning.resilience.services import BALANCE_FIELDS, ResilienceInputError, balance_sheet_set


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text.replace("_", ""))
    except InvalidOperation:
        raise ValueError(text) from None


class Command(BaseCommand):
    help = "Set the opening balance sheet of a municipality for one year (EUR, values at 1 January)."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="slug")
        parser.add_argument(
            "--year", required=True, type=int, help="the year these are the opening values of"
        )
        for name in BALANCE_FIELDS:
            flag = "--" + name.replace("_", "-")
            rate = name.endswith("_rate") or name == "variable_rate_share"
            parser.add_argument(
                flag, type=_decimal, default=None, help="share, e.g. 0.025" if rate else "EUR"
            )
        parser.add_argument("--json", action="store_true", help="print the stored sheet as JSON")

    def handle(self, *args, **options):
        municipality = municipality_by_slug(options["municipality"])
        values = {name: options[name] for name in BALANCE_FIELDS if options[name] is not None}
        try:
            sheet, created = balance_sheet_set(
                municipality=municipality,
                year=options["year"],
                values=values,
                source=BalanceSheet.Source.CLI,
            )
        except ResilienceInputError as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from None
        if options["json"]:
            data = {"municipality": municipality.slug, "year": sheet.year, "created": created}
            data |= {
                name: None if getattr(sheet, name) is None else str(getattr(sheet, name))
                for name in BALANCE_FIELDS
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        verb = "created" if created else "updated"
        self.stdout.write(
            f"{verb} opening balance sheet {sheet.year} of {municipality.slug}: equity {sheet.total_equity}, "
            f"equalisation reserve {sheet.equalisation_reserve}, general reserve {sheet.general_reserve}"
        )
