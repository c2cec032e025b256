"""Chart builders on hand-built series: what an analyst reads off the spec, and the exports."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest

from tracker.charts import (
    MAX_ROWS,
    Shaded,
    actor_color,
    chart_png,
    chart_svg,
    gap_chart,
    matrix_chart,
    profile_chart,
    thin,
    timeline_chart,
    timeline_spec,
)
from tracker.text import short_labels
from tracker.timelines import (
    DayPosition,
    Evidence,
    GapPoint,
    MatrixCell,
    RollupPoint,
    find_shifts,
)

LABELS = {
    -2: "Talks while fighting continues",
    -1: "Sceptical of ceasefire first",
    0: "Neutral / ambiguous",
    1: "Leans to ceasefire first",
    2: "Ceasefire must come first",
}
IDS = {"Donald Trump": 1, "Russia": 2, "Emmanuel Macron": 3}


def day(
    actor: str, when: str, position: float, *, issue: str = "ceasefire-first", quote: str = ""
) -> DayPosition:
    return DayPosition(
        actor_id=IDS.get(actor, 99),
        actor=actor,
        issue=issue,
        day=dt.date.fromisoformat(when),
        position=position,
        stances=1,
        stance_id=int(when.replace("-", "")),
        evidence=Evidence(
            quote=quote or f"{actor} on {when}",
            source_id=7,
            source_title=f"Report of {when}",
            source_outlet="Reuters",
            source_url="https://example.org",
            annotator="ana",
            confidence=0.8,
        ),
    )


POINTS = [
    day("Donald Trump", "2024-12-07", 1),
    day("Donald Trump", "2025-08-13", 2),
    day("Donald Trump", "2025-08-18", -2, quote="<b>Forget the ceasefire</b> [x](javascript:1)"),
    day("Russia", "2025-08-15", -2),
]


def layers(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {layer["name"]: layer for layer in spec["layer"]}


def rows(spec: dict[str, Any], layer: dict[str, Any]) -> list[dict[str, Any]]:
    return list(spec["datasets"][layer["data"]["name"]])


def tick_labels(label_expr: str) -> dict[int, str]:
    """What the y axis prints at each tick: the expression maps a value to lines of text."""
    found = re.findall(r"datum\.value == (-?\d) \? (\[.*?\])", label_expr)
    return {int(v): " ".join(" ".join(json.loads(lines)).split()) for v, lines in found}


def test_timeline_has_the_issue_labels_on_the_y_axis() -> None:
    spec = timeline_chart(POINTS, find_shifts(POINTS), LABELS, title="Ceasefire").to_dict()
    y = layers(spec)["positions"]["encoding"]["y"]
    assert y["scale"]["domain"] == [-2.2, 2.2]
    assert y["axis"]["values"] == [-2, -1, 0, 1, 2]
    assert tick_labels(y["axis"]["labelExpr"]) == {
        -2: "-2 Talks while fighting continues",
        -1: "-1 Sceptical of ceasefire first",
        0: "0 Neutral / ambiguous",
        1: "+1 Leans to ceasefire first",
        2: "+2 Ceasefire must come first",
    }
    x = layers(spec)["positions"]["encoding"]["x"]
    assert x["type"] == "temporal" and x["axis"]["format"]
    assert spec["title"]["text"] == "Ceasefire"


def test_timeline_draws_steps_that_hold_until_the_next_stance() -> None:
    until = dt.date(2025, 9, 1)
    spec = timeline_chart(POINTS, [], LABELS, title="t", until=until).to_dict()
    line = layers(spec)["positions"]
    assert line["mark"]["interpolate"] == "step-after"
    data = rows(spec, line)
    last = {r["actor"]: r for r in data if r["day"] == "2025-09-01"}
    assert last["Donald Trump"]["position"] == -2 and last["Russia"]["position"] == -2


def test_timeline_points_carry_the_evidence_as_tooltip_data() -> None:
    spec = timeline_chart(POINTS, [], LABELS, title="t").to_dict()
    stances = layers(spec)["stances"]
    fields = {t["field"] for t in stances["encoding"]["tooltip"]}
    assert {"quote", "source", "outlet", "date", "annotator", "meaning"} <= fields
    data = rows(spec, stances)
    assert len(data) == len(POINTS)
    hostile = next(r for r in data if r["day"] == "2025-08-18")
    # Source text is data for the tooltip, never markup: kept verbatim, not rendered.
    assert hostile["quote"] == "<b>Forget the ceasefire</b> [x](javascript:1)"
    assert hostile["meaning"] == "-2  Talks while fighting continues"
    assert hostile["date"] == "18 Aug 2025" and hostile["source"] == "Report of 2025-08-18"


def test_timeline_marks_shifts() -> None:
    shifts = find_shifts(POINTS)
    assert [(s.actor, s.day) for s in shifts] == [("Donald Trump", dt.date(2025, 8, 18))]
    spec = timeline_chart(POINTS, shifts, LABELS, title="t").to_dict()
    marker = layers(spec)["shifts"]
    (row,) = rows(spec, marker)
    assert row["shape"] == "triangle-down" and row["day"] == "2025-08-18"
    assert row["shift"] == (
        "from +2 (Ceasefire must come first) to -2 (Talks while fighting continues)"
    )
    assert "shift" in {t["field"] for t in marker["encoding"]["tooltip"]}
    assert "shift-rules" in layers(spec)
    assert "1 shift" in spec["title"]["subtitle"][0]


def test_a_chart_drawing_some_movers_says_how_many_shifts_it_left_out() -> None:
    """The report draws the 8 largest movers: "31 shift(s) marked" over 8 lines misled."""
    undrawn_flips = [day("Kremlin", "2025-08-15", -2), day("Kremlin", "2025-08-19", 2)]
    shifts = find_shifts(POINTS + undrawn_flips)
    assert len(shifts) == 2
    spec = timeline_chart(POINTS, shifts, LABELS, title="t").to_dict()  # Trump drawn only
    subtitle = " ".join(spec["title"]["subtitle"])
    assert "1 of 2 shifts marked" in subtitle and "2 actors drawn" in subtitle
    assert len(rows(spec, layers(spec)["shifts"])) == 1


def test_no_shift_layer_without_shifts() -> None:
    spec = timeline_chart(POINTS[:2], [], LABELS, title="t").to_dict()
    assert set(layers(spec)) == {"positions", "stances"}


def test_each_actor_keeps_its_colour_in_every_chart() -> None:
    spec = timeline_chart(POINTS, [], LABELS, title="t").to_dict()
    scale = layers(spec)["positions"]["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"], strict=True)) == {
        "Donald Trump": actor_color("Donald Trump"),
        "Russia": actor_color("Russia"),
    }
    profile = profile_chart(POINTS, {}, title="p").to_dict()
    panel_scale = profile["vconcat"][0]["layer"][0]["encoding"]["color"]["scale"]
    assert panel_scale == scale


def test_actors_sharing_a_colour_get_different_dashes() -> None:
    names = [f"Actor {i}" for i in range(40)]
    first = names[0]
    twin = next(n for n in names[1:] if actor_color(n) == actor_color(first))
    points = [day(first, "2025-01-01", 1), day(twin, "2025-01-02", -1), *POINTS]
    encoding = layers(timeline_chart(points, [], LABELS, title="t").to_dict())["positions"][
        "encoding"
    ]
    dash = dict(
        zip(
            encoding["strokeDash"]["scale"]["domain"],
            encoding["strokeDash"]["scale"]["range"],
            strict=True,
        )
    )
    assert dash[first] == [1, 0] and dash[twin] != [1, 0]  # solid, then dashed
    assert dash["Donald Trump"] == [1, 0]


def test_legends_list_names_in_the_order_of_every_list() -> None:
    """Case and accents set aside, as the dashboard's pickers and tables order them."""
    names = ["Zelensky", "de Mistura", "Łukaszenka", "Émile Zola", "Lavrov"]
    points = [day(name, f"2025-01-0{i + 1}", 1) for i, name in enumerate(names)]
    spec = timeline_chart(points, [], LABELS, title="t").to_dict()
    domain = layers(spec)["positions"]["encoding"]["color"]["scale"]["domain"]
    assert domain == ["de Mistura", "Émile Zola", "Lavrov", "Łukaszenka", "Zelensky"]


def test_actor_color_is_deterministic_across_processes() -> None:
    names = ["Donald Trump", "Russia", "Volodymyr Zelenskyy", "European leaders"]
    here = [actor_color(n) for n in names]
    assert here == [actor_color(n) for n in names]
    assert all(c.startswith("#") and len(c) == 7 for c in here)
    code = f"from tracker.charts import actor_color; print([actor_color(n) for n in {names!r}])"
    for seed in ("1", "2"):
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        assert out.strip() == repr(here)


def test_profile_has_a_panel_per_issue_with_its_own_labels() -> None:
    nato = {-2: "Never in NATO", -1: "Not now", 0: "Neutral", 1: "Eventually", 2: "Join now"}
    points = [*POINTS[:3], day("Donald Trump", "2025-08-18", -2, issue="nato-membership")]
    rollup = [RollupPoint("United States", "nato-membership", dt.date(2025, 8, 18), -2, ())]
    spec = profile_chart(
        points,
        {"ceasefire-first": LABELS, "nato-membership": nato},
        title="Donald Trump",
        rollups=rollup,
        issue_names={"nato-membership": "Ukraine joining NATO"},
    ).to_dict()
    first, second = spec["vconcat"]
    assert first["title"] == "ceasefire-first" and second["title"] == "Ukraine joining NATO"
    assert tick_labels(first["layer"][0]["encoding"]["y"]["axis"]["labelExpr"])[2] == (
        "+2 Ceasefire must come first"
    )
    assert tick_labels(second["layer"][1]["encoding"]["y"]["axis"]["labelExpr"])[-2] == (
        "-2 Never in NATO"
    )
    assert second["layer"][0]["name"].startswith("rollup")
    scale = second["layer"][0]["encoding"]["color"]["scale"]
    index = scale["domain"].index("United States (roll-up)")
    assert scale["range"][index] == actor_color("United States")


def test_matrix_shows_positions_and_arrows() -> None:
    cells = [
        MatrixCell("Donald Trump", "ceasefire-first", -2, dt.date(2025, 8, 18), 2.0),
        MatrixCell("Russia", "ceasefire-first", -2, dt.date(2025, 8, 15), None),
        MatrixCell("Emmanuel Macron", "security-guarantees", 1.5, dt.date(2025, 9, 3), 1.0),
    ]
    spec = matrix_chart(cells, title="As of", labels_by_issue={"ceasefire-first": LABELS})
    data = spec.to_dict()
    texts = {r["actor"]: r["text"] for r in next(iter(data["datasets"].values()))}
    assert texts == {"Donald Trump": "-2 ↓", "Russia": "-2", "Emmanuel Macron": "+1.5 ↑"}
    heat = data["layer"][0]["encoding"]["color"]["scale"]
    assert heat["domain"] == [-2, 2] and heat["domainMid"] == 0


@pytest.mark.parametrize(
    ("gaps", "word"),
    [((4.0, 2.5), "narrowing"), ((2.0, 4.0), "widening")],
)
def test_gap_title_says_whether_it_narrows(gaps: tuple[float, float], word: str) -> None:
    points = [
        GapPoint(dt.date(2025, 8, 1), 1.0, None),
        GapPoint(dt.date(2025, 8, 13), 2.0, 2.0 - gaps[0]),
        GapPoint(dt.date(2025, 8, 18), 2.0, 2.0 - gaps[1]),
    ]
    spec = gap_chart(points, "Ukraine + European leaders", "Russia", LABELS).to_dict()
    assert spec["title"]["text"] == f"Ukraine + European leaders vs Russia: the gap is {word}"
    verb = "narrowed from 4 to 2.5" if word == "narrowing" else "widened from 2 to 4"
    assert spec["title"]["subtitle"] == [
        f"The gap {verb} points between 13 Aug 2025 and 18 Aug 2025."
    ]


def test_png_and_svg_render_offline() -> None:
    chart = timeline_chart(POINTS, find_shifts(POINTS), LABELS, title="Ceasefire")
    png = chart_png(chart)
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    svg = chart_svg(chart)
    assert svg.startswith("<svg") and "Ceasefire must come first" in svg
    # Source text is escaped data (in accessible labels), never markup in the image.
    assert "<b>" not in svg and "&lt;b&gt;Forget the ceasefire" in svg


def test_long_series_are_thinned_but_keep_every_shift() -> None:
    start = dt.date(2000, 1, 1)
    points = [
        day("Donald Trump", (start + dt.timedelta(days=i)).isoformat(), 1 if i % 997 else -1)
        for i in range(MAX_ROWS + 2000)
    ]
    shifts = find_shifts(points)
    assert len(shifts) > 10
    kept = thin(points, shifts)
    assert len(kept) == MAX_ROWS
    kept_days = {p.day for p in kept}
    assert {s.day for s in shifts} | {s.before.day for s in shifts} <= kept_days
    assert {points[0].day, points[-1].day} <= kept_days
    spec = timeline_chart(points, shifts, LABELS, title="Long").to_dict()  # no MaxRowsError
    assert any("Showing" in line for line in spec["title"]["subtitle"])
    assert len(rows(spec, layers(spec)["positions"])) <= MAX_ROWS


def test_short_series_are_not_thinned() -> None:
    assert thin(POINTS, []) == POINTS
    spec = timeline_chart(POINTS, [], LABELS, title="t").to_dict()
    assert "subtitle" not in spec["title"]


def test_long_gap_series_are_thinned_evenly() -> None:
    start = dt.date(2000, 1, 1)
    points = [
        GapPoint(start + dt.timedelta(days=i), 2.0, 2.0 - (4 if i < 10 else 1))
        for i in range(MAX_ROWS)
    ]
    spec = gap_chart(points, "A", "B", LABELS).to_dict()  # no MaxRowsError
    assert spec["title"]["text"] == "A vs B: the gap is narrowing"
    assert spec["title"]["subtitle"][0].startswith("The gap narrowed from 4 to 1 points")
    assert "evenly spread" in spec["title"]["subtitle"][1]


def test_a_printed_timeline_draws_the_same_steps_from_far_fewer_rows() -> None:
    """A report's image: the step line through its change points only (it draws the same
    steps), a point per actor and week, no quotes (nobody can hover an image), and no
    "hover" in its notes."""
    daily = [
        day("Donald Trump", f"2025-03-{d:02d}", 1 if d < 20 else -2, quote=f"said {d}")
        for d in range(1, 31)
    ]
    spec = timeline_spec(daily, find_shifts(daily), LABELS, title="Ceasefire")
    interactive = timeline_chart(daily, find_shifts(daily), LABELS, title="Ceasefire").to_dict()
    found = layers(spec)
    steps = [(r["day"], r["position"]) for r in rows(spec, found["positions"])]
    every_day = [
        (r["day"], r["position"]) for r in rows(interactive, layers(interactive)["positions"])
    ]
    assert len(every_day) == 31  # each day, and the last position held to the axis' end
    assert steps == [("2025-03-01", 1), ("2025-03-20", -2), every_day[-1]]
    dots = [(r["day"], r["position"]) for r in rows(spec, found["stances"])]
    # ISO weeks: Mar 1-2, 3-9, 10-16, 17-23 (twice: the move on the 20th), 24-30.
    assert dots == [
        ("2025-03-01", 1),
        ("2025-03-03", 1),
        ("2025-03-10", 1),
        ("2025-03-17", 1),
        ("2025-03-20", -2),
        ("2025-03-24", -2),
    ]
    assert "said 5" not in json.dumps(spec)
    assert "hover" not in json.dumps(spec["title"])
    assert len(rows(interactive, layers(interactive)["stances"])) == 30
    assert "hover" in json.dumps(interactive["title"])


def test_the_dashboards_legend_sits_beside_the_plot() -> None:
    """On the dashboard a chart is fitted to the page; a legend below it is not narrowed
    with the plot, and at 1280 px its last names were cut off. Beside the plot it is part
    of the fit. The report's image has a fixed width and keeps four columns underneath."""
    shown = timeline_chart(POINTS, find_shifts(POINTS), LABELS, title="Ceasefire").to_dict()
    printed = timeline_spec(POINTS, find_shifts(POINTS), LABELS, title="Ceasefire")
    for spec, orient in ((shown, "right"), (printed, "bottom")):
        encoding = layers(spec)["positions"]["encoding"]
        assert {encoding[c]["legend"]["orient"] for c in ("color", "strokeDash")} == {orient}


MOSCOW = "Ministry of Foreign Affairs of the Russian Federation (Moscow)"
GENEVA = "Ministry of Foreign Affairs of the Russian Federation (Geneva mission)"


def svg_texts(chart: Any) -> list[str]:
    """The words an SVG image prints (its legend entries and axis labels among them)."""
    svg = chart_svg(chart)
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def test_names_sharing_their_start_stay_apart_in_legends_and_axes() -> None:
    """Cut at the end to fit, two ministries read "Ministry of Foreign Affairs of the
    Russian F…" twice in a legend, as one line. Long names are now cut in the middle, so
    each entry still says whose line it is; the tooltips keep the full names."""
    points = [
        day(MOSCOW, "2025-08-01", -2),
        day(GENEVA, "2025-08-03", 1),
        day("Russia", "2025-08-05", 0),
    ]
    cells = [
        MatrixCell(MOSCOW, "ceasefire-first", -2, dt.date(2025, 8, 1), None),
        MatrixCell(GENEVA, "ceasefire-first", 1, dt.date(2025, 8, 3), None),
    ]
    gaps = [GapPoint(dt.date(2025, 8, 1), -2.0, 1.0)]
    charts = {
        "dashboard timeline": timeline_chart(points, [], LABELS, title="Ceasefire"),
        "report timeline": timeline_spec(points, [], LABELS, title="Ceasefire"),
        "profile": profile_chart(points, {"ceasefire-first": LABELS}, title="Ministries"),
        "matrix": matrix_chart(cells, title="As of"),
        "gap": gap_chart(gaps, MOSCOW, GENEVA, LABELS),
    }
    for what, chart in charts.items():
        texts = svg_texts(chart)
        shown = [t for t in texts if t.startswith("Ministry of") and "…" in t]
        assert len(shown) == 2, (what, texts)
        # Each keeps the end that tells them apart, and nothing cuts it again.
        assert sorted(t[-8:] for t in shown) == ["(Moscow)", "mission)"], (what, shown)
    assert "Russia" in svg_texts(charts["dashboard timeline"])
    full = json.dumps(charts["dashboard timeline"].to_dict())
    assert MOSCOW in full and GENEVA in full  # the data and tooltips keep the names


def test_long_names_that_differ_only_in_the_middle_are_numbered() -> None:
    a, b = "A" * 30 + "x" + "B" * 30, "A" * 30 + "y" + "B" * 30
    labels = short_labels([a, b, "Russia"], 20)
    assert labels == {a: "AAAAAAAA…BBBBBBBB #1", b: "AAAAAAAA…BBBBBBBB #2"}
    assert all(len(label) == 20 for label in labels.values())
    assert short_labels(["Russia", MOSCOW], 80) == {}  # short names are left as they are


def test_a_printed_timeline_shades_the_week_and_starts_where_asked() -> None:
    """The report's image: the quarter before the week's end, the week shaded and named,
    the position held since an older stance drawn from the left edge, without its dot."""
    points = [
        day("Donald Trump", "2024-12-07", 1),
        day("Donald Trump", "2025-08-13", 2),
        day("Donald Trump", "2025-08-18", -2),
    ]
    week = Shaded(dt.date(2025, 8, 18), dt.date(2025, 8, 24), "2025-W34")
    spec = timeline_spec(
        points,
        find_shifts(points),
        LABELS,
        title="Ceasefire",
        until=dt.date(2025, 8, 24),
        since=dt.date(2025, 5, 25),
        shaded=week,
    )
    found = layers(spec)
    domain = found["positions"]["encoding"]["x"]["scale"]["domain"]
    assert [(d["year"], d["month"], d["date"]) for d in domain] == [(2025, 5, 25), (2025, 8, 24)]
    assert rows(spec, found["shaded"]) == [
        {"day": "2025-08-18", "day_end": "2025-08-25", "label": "2025-W34"}
    ]
    assert list(found)[:2] == ["shaded", "shaded-label"]  # under the lines
    assert found["shaded"]["mark"]["clip"] is True
    assert "Shaded: 2025-W34, 18 Aug 2025 – 24 Aug 2025." in spec["title"]["subtitle"]
    steps = [r["day"] for r in rows(spec, found["positions"])]
    assert steps[0] == "2024-12-07"  # the line holds the old position from the left edge
    assert [r["day"] for r in rows(spec, found["stances"])] == ["2025-08-13", "2025-08-18"]
    svg = chart_svg(spec)
    assert "2025-W34" in svg and "Jan 2025" not in svg


def test_the_matrix_names_issues_on_wrapped_lines_that_all_show() -> None:
    cells = [
        MatrixCell("Russia", "ceasefire-first", -2, dt.date(2025, 8, 15), None),
        MatrixCell("Russia", "nato", -2, dt.date(2025, 8, 15), None),
    ]
    names = {"ceasefire-first": "Ceasefire before peace talks", "nato": "NATO"}
    spec = matrix_chart(cells, title="As of", issue_names=names).to_dict()
    data = next(iter(spec["datasets"].values()))
    assert {(r["issue"], r["issue_name"]) for r in data} == {
        ("ceasefire-first", "Ceasefire before peace talks"),
        ("nato", "NATO"),
    }  # drawn by slug (two issues may share a name), labelled by name
    axis = spec["layer"][0]["encoding"]["x"]["axis"]
    assert axis["labelOverlap"] is False and axis["labelFlush"] is False
    # Each label is as many lines as the longest, blank lines first, lifted off the grid.
    assert '["Ceasefire", "before peace", "talks"]' in axis["labelExpr"]
    assert 'datum.value === "nato" ? ["", "", "NATO"]' in axis["labelExpr"]
    assert axis["labelPadding"] == 2 * axis["labelLineHeight"] + 4
    assert spec["width"] == {"step": 100}  # five issues and the names fit beside a sidebar
