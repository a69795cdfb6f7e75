"""Server-built explorer charts: the amount axis reads in round figures, as the browser-drawn charts do."""

import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import translation

from finance.charts import money_ticks

URL = "/kommunen/musterstadt/haushalt/"


def test_money_ticks_are_round_and_in_millions_from_a_million():
    with translation.override("de"):
        ticks = money_ticks([50_000_000.0, 12_345_678.9, -3_000_000.0])
        small = money_ticks([1_234.5, 800.0])
    millions = [f"{n} Mio. €" for n in (-10, 10, 20, 30, 40, 50)]
    assert ticks["ticktext"] == [millions[0], "0 €", *millions[1:]]
    assert ticks["tickvals"][-1] == 50_000_000 and ticks["range"][0] < -10_000_000 < ticks["range"][1]
    assert small["ticktext"][-2:] == ["1.000 €", "1.250 €"]
    with translation.override("en"):
        assert money_ticks([2_500_000.0])["ticktext"][1:3] == ["0.5 m €", "1 m €"]
    assert money_ticks([]) == {}


@pytest.mark.django_db
def test_the_explorer_bar_chart_axis_shows_millions_not_eight_digit_amounts(client):
    # Given the demo's budget of several million euros per product area
    call_command("load_demo", stdout=io.StringIO())
    client.force_login(get_user_model().objects.get(username="admin"))

    # When the explorer is opened
    html = client.get(URL).content.decode()

    # Then its bar chart's amount axis is labelled in round millions
    source = re.search(r'id="chart-breakdown" type="application/json">(.*?)</script>', html, re.S)
    figure = json.loads(source[1])
    axis = figure["layout"]["xaxis"]
    assert axis["tickmode"] == "array" and any(t.endswith(" Mio. €") for t in axis["ticktext"]), axis
    assert not any(re.search(r"\d\.\d{3}\.\d{3}", t) for t in axis["ticktext"])
