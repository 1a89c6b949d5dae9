"""The one palette, measured: bands and carrier types stay apart for every kind of colour vision.

Differences are ΔE in CAM02-UCS (colorspacious), for normal vision and for
simulated deuteranomaly, protanomaly and tritanomaly at severity 100
(Machado et al. 2009); greyscale is CAM02-UCS lightness J'.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

colorspacious = pytest.importorskip("colorspacious", reason="pip install colorspacious")

from render.palette import (  # noqa: E402
    BAND_COLOURS,
    BAND_TEXT_COLOURS,
    TYPE_COLOURS,
    TYPE_ICONS,
    TYPE_LETTERS,
)

VISIONS = ["normal", "deuteranomaly", "protanomaly", "tritanomaly"]
BAND_APART = 20.0
"""Bands: the issue's bar (they keep about 25 and more)."""
TYPE_FROM_BAND = 12.0
"""A marker against any town fill it may sit on (the palette keeps 16 and more)."""
TYPES_APART = 12.0
"""Types from each other (15 and more); each also has its own icon shape."""


def _rgb(colour: str) -> np.ndarray:
    value = colour.lstrip("#")
    return np.array([int(value[i:i + 2], 16) for i in (0, 2, 4)]) / 255


def seen(colour: str, vision: str) -> np.ndarray:
    """``colour`` (sRGB in 0–1) as a viewer with ``vision`` sees it."""
    rgb = _rgb(colour)
    if vision == "normal":
        return rgb
    space = {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}
    return np.clip(colorspacious.cspace_convert(rgb, space, "sRGB1"), 0, 1)


def delta_e(a: str, b: str, vision: str) -> float:
    return float(colorspacious.deltaE(seen(a, vision), seen(b, vision), input_space="sRGB1",
                                      uniform_space="CAM02-UCS"))


def lightness(colour: str) -> float:
    return float(colorspacious.cspace_convert(_rgb(colour), "sRGB1", "CAM02-UCS")[0])


def test_a_difference_the_test_calls_large_is_large_and_a_small_one_small():
    assert delta_e("#000000", "#ffffff", "normal") > 90
    assert delta_e("#225ea8", "#225ea9", "normal") < 1
    # green against red, as the old bands had them: far apart for normal vision,
    # nearly one colour for deuteranomaly (the simulation is really applied)
    assert delta_e("#2e7d32", "#c62828", "normal") > 40
    assert delta_e("#2e7d32", "#c62828", "deuteranomaly") < 10


@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize(("a", "b"), list(itertools.combinations(BAND_COLOURS, 2)))
def test_the_bands_stay_apart(vision, a, b):
    assert delta_e(BAND_COLOURS[a], BAND_COLOURS[b], vision) >= BAND_APART


def test_the_bands_run_light_far_to_dark_met_in_greyscale():
    far, close, met = (lightness(BAND_COLOURS[b]) for b in ("far", "close", "met"))
    assert far - close >= 15 and close - met >= 15


def test_text_on_each_band_reads():
    for band, fill in BAND_COLOURS.items():
        assert abs(lightness(BAND_TEXT_COLOURS[band]) - lightness(fill)) >= 45, band


@pytest.mark.parametrize("vision", VISIONS)
def test_each_type_stands_out_on_every_band(vision):
    for kind, band in itertools.product(TYPE_COLOURS, BAND_COLOURS):
        assert delta_e(TYPE_COLOURS[kind], BAND_COLOURS[band], vision) >= TYPE_FROM_BAND, (
            kind, band)


@pytest.mark.parametrize("vision", VISIONS)
def test_the_types_differ_from_each_other(vision):
    for a, b in itertools.combinations(TYPE_COLOURS, 2):
        assert delta_e(TYPE_COLOURS[a], TYPE_COLOURS[b], vision) >= TYPES_APART, (a, b)


def test_each_type_has_a_second_cue():
    assert len(set(TYPE_ICONS.values())) == len(TYPE_COLOURS)
    for letters in TYPE_LETTERS.values():
        assert set(letters) == set(TYPE_COLOURS) and len(set(letters.values())) == len(letters)
