"""German is the default UI language, English the second; the English catalogue lives in locale/en.

The compiled ``django.mo`` is committed (a fresh machine may lack gettext), so one test checks that it
matches the ``django.po`` it was compiled from: whoever edits the .po must run ``compilemessages``."""

import ast
import gettext
from pathlib import Path

from django.conf import settings

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"


def overview_html(client, user, language=None):
    client.force_login(user)
    if language:
        response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
        assert response.status_code == 302
    response = client.get("/kommunen/musterstadt/")
    assert response.status_code == 200
    return response.content.decode()


def test_english_switch_translates_navigation(client, municipality, planner):
    html = overview_html(client, planner, language="en")
    assert '<html lang="en">' in html
    assert ">Overview</a>" in html
    assert ">Budget</a>" in html
    assert "Übersicht" not in html
    assert ">Haushalt</a>" not in html


def test_german_is_the_default(client, municipality, planner):
    html = overview_html(client, planner)
    assert '<html lang="de">' in html
    assert ">Übersicht</a>" in html
    assert ">Haushalt</a>" in html
    assert ">Overview</a>" not in html


def test_an_english_browser_still_gets_german_until_the_user_switches(client, municipality, planner):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    assert '<html lang="de">' in overview_html(client, planner)
    assert '<html lang="en">' in overview_html(client, planner, language="en")
    assert '<html lang="de">' in overview_html(client, planner, language="de")


def test_switching_back_to_german(client, municipality, planner):
    overview_html(client, planner, language="en")
    html = overview_html(client, planner, language="de")
    assert ">Übersicht</a>" in html


def _po_string(line: str) -> str:
    """The text of one quoted .po string (escapes as in C: \\n, \\", \\\\, \\t)."""
    return ast.literal_eval(line)


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file as dicts (id, ctx, plural, strs by index, fuzzy); obsolete ones skipped."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry = {"id": None, "plural": None, "ctx": None, "strs": {}, "fuzzy": False}
        field = None
        for line in block.splitlines():
            if line.startswith("#~"):
                continue
            if line.startswith("#,"):
                entry["fuzzy"] = "fuzzy" in line
                continue
            if line.startswith("#") or not line.strip():
                continue
            keyword, _, rest = line.partition(" ")
            if line.startswith('"'):
                text = _po_string(line)
            elif keyword == "msgctxt":
                field, text = ("ctx",), _po_string(rest)
                entry["ctx"] = ""
            elif keyword == "msgid":
                field, text = ("id",), _po_string(rest)
                entry["id"] = ""
            elif keyword == "msgid_plural":
                field, text = ("plural",), _po_string(rest)
                entry["plural"] = ""
            elif keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
                field, text = ("strs", index), _po_string(rest)
                entry["strs"][index] = ""
            else:
                raise AssertionError(f"unexpected line in {path.name}: {line!r}")
            if field[0] == "strs":
                entry["strs"][field[1]] += text
            else:
                entry[field[0]] += text
        if entry["id"] is not None:
            entries.append(entry)
    return entries


def test_po_parser_reads_the_catalogue():
    entries = parse_po(PO_PATH)
    by_id = {e["id"]: e for e in entries}
    assert by_id["Übersicht"]["strs"] == {0: "Overview"}
    assert any(e["plural"] for e in entries)
    assert len(entries) > 100


def test_compiled_mo_matches_po():
    """Every translated, non-fuzzy entry of django.po is in django.mo with the same text."""
    assert MO_PATH.exists(), "locale/en/LC_MESSAGES/django.mo missing: run manage.py compilemessages -l en"
    with MO_PATH.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    stale = []
    checked = 0
    for entry in parse_po(PO_PATH):
        if not entry["id"] or entry["fuzzy"] or not all(entry["strs"].values()):
            continue  # header, or not (fully) translated: msgfmt leaves these out
        msgid = entry["id"] if entry["ctx"] is None else f"{entry['ctx']}\x04{entry['id']}"
        for index, text in entry["strs"].items():
            key = (msgid, index) if entry["plural"] is not None else msgid
            checked += 1
            if catalog.get(key) != text:
                stale.append(f"{entry['id'][:60]!r}: .mo has {catalog.get(key)!r}, .po has {text!r}")
    assert checked > 100
    assert not stale, (
        "django.mo is older than django.po - run `manage.py compilemessages -l en`:\n" + "\n".join(stale[:20])
    )
