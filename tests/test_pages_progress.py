"""Progress over time on the pages: the "as of" date, the pace charts (issue 12).

The figures on the Overview and Town pages as of a date must equal
``check(..., as_of=date)``; the pace charts must carry :func:`geo.progress.pace`'s
values unchanged.
"""

from __future__ import annotations

import datetime as dt
import json

import altair as alt
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.asof import default_as_of
from geo import format_area, load_dataset, translate
from geo.progress import CITY_MEASURES, pace
from render.pace import city_measure_spec, first_choice, pace_spec, town_choices
from render.tables import display_names
from tests.conftest import REPO
from tests.test_app import metrics, shown

AS_OF = "2019-06-30"


def run_app(lang: str = "zh", **params: str) -> AppTest:
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    app.session_state["lang"] = lang
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, app.exception
    return app


def expected(lang: str, as_of: str | None = None) -> dict[str, str]:
    city = load_dataset().check(as_of=as_of).city
    return {
        translate("kpi.new_area", lang): format_area(city.new_area_m2, lang),
        translate("kpi.towns_met", lang): translate("kpi.of", lang, value=city.towns_met,
                                                    total=city.towns_total),
        translate("kpi.new_carriers", lang, goal=city.new_carriers_goal):
            translate("kpi.count", lang, count=city.new_carriers),
        translate("kpi.institutes", lang, goal=city.research_institutes_goal):
            translate("kpi.count", lang, count=city.research_institutes),
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_as_of_a_date_shows_that_dates_figures(lang):
    app = run_app(lang, as_of=AS_OF)
    assert metrics(app) == expected(lang, AS_OF)
    assert metrics(app) != expected(lang), "the bundled data moved after 2019-06-30"
    assert app.date_input(key="as_of_input").value == dt.date(2019, 6, 30)
    assert app.query_params["as_of"] == AS_OF
    notes = [shown(c.value) for c in app.caption]
    for message in load_dataset().check(as_of=AS_OF).as_of.messages(lang):
        assert message in notes


def test_default_as_of_is_the_plain_check_and_leaves_the_link_alone():
    end = load_dataset().targets.period_end
    assert default_as_of(end, today=dt.date(2030, 1, 1)) == end
    assert default_as_of(end, today=dt.date(2019, 3, 1)) == dt.date(2019, 3, 1)
    app = run_app("zh")
    assert metrics(app) == expected("zh")
    assert app.date_input(key="as_of_input").value == end
    assert "as_of" not in app.query_params
    clipped = translate("asof.clipped", "zh", requested=end.isoformat(), date=end.isoformat())
    assert clipped not in [shown(c.value) for c in app.caption]


def test_changing_the_date_changes_the_figures_and_the_link():
    app = run_app("en")
    app.date_input(key="as_of_input").set_value(dt.date(2019, 6, 30)).run()
    assert metrics(app) == expected("en", AS_OF)
    assert app.query_params["as_of"] == AS_OF


def test_a_date_after_the_period_is_clipped_and_said():
    app = run_app("en", as_of="2023-05-01")
    assert metrics(app) == expected("en")
    clipped = translate("asof.clipped", "en", requested="2023-05-01", date="2020-12-31")
    assert clipped in [shown(c.value) for c in app.caption]


@pytest.mark.parametrize("value", ["2019-13-40", "yesterday", "<b>x</b>"])
def test_a_bad_as_of_in_the_link_warns_and_falls_back(value):
    app = run_app("zh", as_of=value)
    warnings = [shown(w.value) for w in app.warning]
    assert any(value in w and "2020-12-31" in w for w in warnings), warnings
    assert metrics(app) == expected("zh")
    assert "as_of" not in app.query_params, "the bad value is not kept in the link"


def _town_page(lang: str, town: str, as_of: str) -> AppTest:
    app = run_app(lang, as_of=as_of)  # the session's date is kept from page to page
    app.query_params["town"] = town
    app.switch_page("views/town.py").run()
    assert not app.exception, app.exception
    return app


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_town_page_shows_its_pace_in_words_and_figures(lang):
    app = _town_page(lang, "璜泾镇", AS_OF)
    result = load_dataset().check(as_of=AS_OF)
    summary = pace(result, "quarter").summary.set_index("town").loc["璜泾镇"]
    assert bool(summary["behind"])
    texts = [shown(w.value) for w in app.warning]
    status = translate("pace.town_status", lang, date=AS_OF,
                       counted=format_area(summary["counted_m2"], lang),
                       expected=format_area(summary["expected_m2"], lang))
    assert f"**{translate('pace.behind', lang)}** · {status}" in texts, texts
    figures = result.towns.set_index("town").loc["璜泾镇"]
    assert format_area(figures["new_area_m2"], lang) in app.get("progress")[0].proto.text


def test_town_page_on_pace_says_so():
    app = _town_page("zh", "城厢镇", AS_OF)
    assert any(i.value.startswith(f"**{translate('pace.on_pace', 'zh')}**") for i in app.info)


# --- render/pace.py: the chart specifications ------------------------------------------


@pytest.fixture(scope="module")
def figures():
    data = load_dataset()
    return data, pace(data.check(as_of=AS_OF), "quarter")


def _data(spec: dict) -> pd.DataFrame:
    return pd.concat(spec["datasets"].values(), ignore_index=True)


def test_town_chart_data_is_the_domains_pace(figures):
    data, progress = figures
    names = display_names(data.boundaries.towns, "zh")
    frame = pd.concat([_data(pace_spec(progress, names, "zh", town=town)).dropna(subset=["town"])
                       for town in data.boundaries.names], ignore_index=True)
    towns = progress.towns.assign(date=progress.towns["period_end"].dt.strftime("%Y-%m-%d"))
    merged = towns.merge(frame, on=["town", "date"], suffixes=("", "_chart"))
    assert len(merged) == len(towns)
    for column in ("cumulative_area_m2", "pace_line_m2", "target_m2", "behind", "after_as_of"):
        assert merged[column].tolist() == merged[f"{column}_chart"].tolist(), column


def test_town_chooser_lists_every_town_with_its_verdict_from_the_first_behind(figures):
    data, progress = figures
    names = display_names(data.boundaries.towns, "en")
    choices = town_choices(progress, names, "en")
    assert list(choices) == data.boundaries.names
    for town in data.boundaries.names:
        verdict = translate("pace.behind" if town in progress.behind else "pace.on_pace", "en")
        assert choices[town] == f"{names[town]} · {verdict}"
        assert pace_spec(progress, names, "en", town=town)["title"]["text"] == choices[town]
    assert first_choice(progress) == progress.behind[0]
    spec = pace_spec(progress, names, "en", town=first_choice(progress), overview=True)
    assert spec["title"]["text"] == translate("pace.title", "en")
    subtitle = " ".join(spec["title"]["subtitle"])
    for town in progress.behind:
        assert names[town] in subtitle


def test_one_towns_chart_has_only_that_town_and_its_verdict_in_the_title(figures):
    data, progress = figures
    names = display_names(data.boundaries.towns, "zh")
    spec = pace_spec(progress, names, "zh", town="璜泾镇")
    assert spec["title"]["text"] == f"璜泾镇 · {translate('pace.behind', 'zh')}"
    assert set(_data(spec).dropna(subset=["town"])["town"]) == {"璜泾镇"}
    assert "params" not in spec


def test_names_reach_the_chart_as_json_text(figures):
    data, progress = figures
    evil = {t: f'<img src=x onerror=alert(1)>"{t}' for t in data.boundaries.names}
    spec = pace_spec(progress, evil, "en", town="城厢镇")
    text = json.dumps({**spec, "datasets": None}, ensure_ascii=False)
    assert json.loads(text)["title"]["text"].startswith("<img src=x onerror=alert(1)>\"")
    # Vega draws titles and options as text (SVG text / <option> label), never as HTML.
    assert spec["title"]["text"] == f'{evil["城厢镇"]} · {translate("pace.on_pace", "en")}'


def test_city_chart_draws_the_domains_counts_from_their_start(figures):
    _, progress = figures
    specs = [city_measure_spec(progress, measure, "zh") for measure in CITY_MEASURES]
    everything = pd.concat([_data(spec) for spec in specs], ignore_index=True)
    frame = everything[everything["measure"].notna() & everything["text"].isna()]
    city = progress.city.assign(date=progress.city["period_end"].dt.strftime("%Y-%m-%d"))
    merged = city.merge(frame, on=["measure", "date"], suffixes=("", "_chart"))
    assert len(merged) == len(city)
    for column in ("cumulative", "pace_line", "goal", "behind", "after_as_of"):
        assert merged[column].tolist() == merged[f"{column}_chart"].tolist(), column
    institutes = city[city["measure"] == "research_institutes"]
    start = int(institutes["cumulative"].iloc[0])
    assert start > 0, "the bundled data has institutes from before the period"
    labels = everything["text"].dropna().tolist()
    assert translate("pace.start_value", "zh", count=start) in labels
    titles = [spec["title"]["text"] for spec in specs]
    assert titles == [
        f"{translate(f'pace.{m}', 'zh')} · "
        f"{translate('pace.behind' if b else 'pace.on_pace', 'zh')}"
        for m, b in progress.city_summary[["measure", "behind"]].itertuples(index=False)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_of_the_pace_section_is_valid_vega_lite(figures, lang):
    """render.pace builds its specs unchecked (it took as long as the rest): the schema is here."""
    _, progress = figures
    names = display_names(load_dataset().boundaries.towns, lang)
    specs = [pace_spec(progress, names, lang, town="璜泾镇", overview=True),
             pace_spec(progress, names, lang, town="璜泾镇"),
             *(city_measure_spec(progress, measure, lang) for measure in CITY_MEASURES)]
    for spec in specs:
        values = {name: json.loads(frame.to_json(orient="records"))
                  for name, frame in spec["datasets"].items()}
        alt.LayerChart.from_dict({**spec, "datasets": values}, validate=True)


def test_a_province_overview_draws_its_pace_one_town_at_a_time(tmp_path, monkeypatch):
    """500 towns × 13 quarters: Altair's default refused the chart of them all (over 5,000
    rows); now the town is chosen on the page and only its line is sent."""
    from tests.province import write_province

    for name, value in write_province(tmp_path, towns=500, carriers=2000).items():
        monkeypatch.setenv(name, value)
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=300).run()
    assert not app.exception, app.exception
    chooser = app.selectbox(key="pace_town")
    assert len(chooser.options) > 400
    charts = app.get("vega_lite_chart")
    assert len(charts) == 4, "the ranking, the town's pace and the city's two measures"

    def town_rows() -> tuple[set[str], int]:
        (chart,) = [c for c in app.get("vega_lite_chart")
                    if any(d.name == "pace_towns" for d in c.proto.datasets)]
        (dataset,) = [d for d in chart.proto.datasets if d.name == "pace_towns"]
        table = pa.ipc.open_stream(dataset.data.data).read_all()
        return set(table.column("town").to_pylist()), table.num_rows

    assert town_rows() == ({chooser.value}, 13), "one town's 13 quarters"
    other = chooser.options[-1].split(" · ")[0]  # shown as "name · verdict"; zh names as read
    assert other != chooser.value
    chooser.set_value(other).run()
    assert not app.exception, app.exception
    assert town_rows() == ({other}, 13)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_long_list_of_towns_behind_pace_names_the_first_and_counts_the_rest(lang):
    from render.pace import BEHIND_NAMED, behind_sentence

    towns = [f"示例{i:04d}镇" for i in range(BEHIND_NAMED + 30)]
    sentence = behind_sentence(towns, "2020-06-30", lang)
    assert all(town in sentence for town in towns[:BEHIND_NAMED])
    assert towns[BEHIND_NAMED] not in sentence
    assert str(len(towns)) in sentence and "2020-06-30" in sentence
    short = behind_sentence(towns[:3], "2020-06-30", lang)
    assert short == translate("pace.behind_list", lang, date="2020-06-30",
                              towns=("、" if lang == "zh" else ", ").join(towns[:3]))
    assert behind_sentence([], "2020-06-30", lang) == translate("pace.none_behind", lang,
                                                                date="2020-06-30")
