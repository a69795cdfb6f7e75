"""python manage.py districts --municipality SLUG list [--level L] [--json]
python manage.py districts --municipality SLUG import-boundaries FILE [--level L] [--list]
    [--code-property P] [--name-property P] [--parent-property P] [--json]
python manage.py districts --municipality SLUG import-indicators FILE [--sheet NAME] [--json]

The imports go through the same forms and services as the import page and the API: all or nothing, every
problem printed with its feature or line and column; exit code 1 when the file is refused."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError

from core.cli import municipality_by_slug
from core.models import District
from planning.districts import services
from planning.districts.forms import BoundaryImportForm, IndicatorImportForm


class Command(BaseCommand):
    help = (
        "Districts (Sozialräume): list them, import boundaries (GeoJSON, WGS84) or a plain list, import "
        "indicators."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="slug of the municipality")
        sub = parser.add_subparsers(dest="action", required=True)
        ls = sub.add_parser("list")
        ls.add_argument("--level", choices=District.Level.values)
        ls.add_argument("--json", action="store_true")
        bnd = sub.add_parser("import-boundaries")
        bnd.add_argument("path", type=Path)
        bnd.add_argument("--level", choices=District.Level.values, default=District.Level.SOZIALRAUM)
        bnd.add_argument("--list", action="store_true", help="a CSV/XLSX list without geometry")
        bnd.add_argument("--code-property", default="")
        bnd.add_argument("--name-property", default="")
        bnd.add_argument("--parent-property", default="")
        bnd.add_argument("--json", action="store_true")
        ind = sub.add_parser("import-indicators")
        ind.add_argument("path", type=Path)
        ind.add_argument("--sheet", default="")
        ind.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        municipality = municipality_by_slug(o["municipality"])
        if o["action"] == "list":
            self._list(municipality, o)
            return
        path: Path = o["path"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        upload = {"file": SimpleUploadedFile(path.name, path.read_bytes())}
        if o["action"] == "import-boundaries":
            fmt = BoundaryImportForm.FORMAT_LIST if o["list"] else BoundaryImportForm.FORMAT_GEOJSON
            form = BoundaryImportForm(
                {
                    "format": fmt,
                    "level": o["level"],
                    "code_property": o["code_property"],
                    "name_property": o["name_property"],
                    "parent_property": o["parent_property"],
                },
                upload,
            )
        else:
            form = IndicatorImportForm({"sheet": o["sheet"]}, upload)
        if not form.is_valid():
            self._refused(o, [m for errs in form.errors.values() for m in errs], [])
        data = form.cleaned_data
        content = data["file"].read()
        try:
            if o["action"] == "import-indicators":
                record = services.indicator_values_import(
                    municipality=municipality, source=content, filename=path.name, sheet=data["sheet"] or None
                )
                result = {"rows": record.rows, "values": record.values, "years": record.years}
                text = f"{record.values} values for {record.rows} districts and years imported"
            else:
                result = services.districts_import_boundaries(
                    municipality=municipality,
                    content=content,
                    as_list=o["list"],
                    level=data["level"],
                    code_property=data["code_property"],
                    name_property=data["name_property"],
                    parent_property=data["parent_property"],
                )
                text = f"districts: {result['created']} new, {result['updated']} updated"
        except services.DistrictImportError as exc:
            self._refused(o, exc.messages, exc.warnings)
        if o["json"]:
            self.stdout.write(json.dumps({"ok": True, **result}, ensure_ascii=False))
            return
        self.stdout.write(text)
        for warning in result.get("warnings", []):
            self.stdout.write(f"warning: {warning}")

    def _refused(self, o, errors: list[str], warnings: list[str]) -> None:
        if o["json"]:
            self.stdout.write(
                json.dumps({"ok": False, "errors": errors, "warnings": warnings}, ensure_ascii=False)
            )
        else:
            self.stderr.write("refused, nothing imported:")
            for message in [*errors, *warnings]:
                self.stderr.write(f"  {message}")
        sys.exit(1)

    def _list(self, municipality, o) -> None:
        rows = (
            District.objects.filter(municipality=municipality)
            .select_related("parent")
            .order_by("level", "code")
        )
        if o["level"]:
            rows = rows.filter(level=o["level"])
        data = [
            {
                "id": d.pk,
                "code": d.code,
                "name": d.name,
                "level": d.level,
                "parent": d.parent.code if d.parent else None,
                "geometry": d.has_geometry,
                "area_km2": d.area_km2,
            }
            for d in rows
        ]
        if o["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        for d in data:
            self.stdout.write(f"{d['id']}\t{d['level']}\t{d['code']}\t{d['name']}")
