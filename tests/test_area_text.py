"""Areas as people read them: rounded half up, and never across a town's target."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import format_area, format_progress
from geo.check import goal_met


@pytest.mark.parametrize(("m2", "zh", "en"), [
    (8450, "0.85 万平方米", "8,450 m²"),  # 0.845 is stored just below: still 四舍五入 up
    (6850, "0.69 万平方米", "6,850 m²"),
    (8250, "0.83 万平方米", "8,250 m²"),
    (12000, "1.2 万平方米", "12,000 m²"),
    (273200, "27.32 万平方米", "273,200 m²"),
    (2.5, "< 0.01 万平方米", "3 m²"),
    (0, "0 万平方米", "0 m²"),
    (float("nan"), "—", "—"),
    (float("inf"), "—", "—"),
])
def test_areas_are_rounded_half_up(m2, zh, en):
    assert (format_area(m2, "zh"), format_area(m2, "en")) == (zh, en)


def _town(area: float, target: float = 10000) -> dict:
    met = bool(goal_met(area, target))
    return {"new_area_m2": area, "target_m2": target, "met": met,
            "shortfall_m2": max(target - area, 0), "progress": area / target}


def test_a_town_just_below_its_target_never_reads_as_at_it():
    zh, en = format_progress(_town(9999.6), "zh"), format_progress(_town(9999.6), "en")
    assert (en.area, en.target, en.shortfall, en.pct) == ("9,999 m²", "10,000 m²", "1 m²", "99")
    assert (zh.area, zh.shortfall, zh.pct) == ("0.99 万平方米", "0.01 万平方米", "99")
    six = format_progress(_town(6850), "zh")
    assert (six.area, six.shortfall, six.pct) == ("0.68 万平方米", "0.32 万平方米", "68")


def test_a_town_that_met_its_target_is_rounded_as_every_area():
    shown = format_progress(_town(12345), "zh")
    assert (shown.area, shown.target, shown.pct) == ("1.23 万平方米", "1 万平方米", "123")


def _number(text: str, lang: str) -> Decimal:
    """The number a text shows (``< 0.01 万平方米``: 0)."""
    number = text.split()[-2] if text.startswith("<") else text.split()[0]
    value = Decimal(0) if text.startswith("<") else Decimal(number.replace(",", ""))
    return value * 10000 if lang == "zh" else value


@settings(max_examples=300, deadline=None)
@given(area=st.floats(0, 30000, allow_nan=False), target=st.sampled_from([5000, 10000, 15000]),
       lang=st.sampled_from(["zh", "en"]))
def test_shown_figures_never_cross_the_target_and_always_add_up(area, target, lang):
    town = _town(area, target)
    shown = format_progress(town, lang)
    if town["met"]:
        assert _number(shown.area, lang) >= target and int(shown.pct) >= 100
    else:
        assert _number(shown.area, lang) < target and int(shown.pct) <= 99
        assert _number(shown.area, lang) + _number(shown.shortfall, lang) >= target
        assert _number(shown.shortfall, lang) > 0
