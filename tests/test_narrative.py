"""Tests of toolkit.narrative: sentences from tiny literal tables with hand-computed figures.

The Wilson intervals behind the "twice" rule are recomputed here from the textbook formula
(not with toolkit.coverage.wilson_interval), so the rule is checked independently.
"""

from __future__ import annotations

import math

import mistune
import pandas as pd
import pytest

from toolkit.errors import ParameterError, SchemaError
from toolkit.narrative import (
    MIN_ARTICLES,
    comparison_groups,
    coverage_summary,
    escape_markdown,
    outlet_summary,
    peak_sentences,
    reach_sentence,
    require_topic,
    share_sentences,
    spike_articles,
    spike_sentences,
    summary_markdown,
    topic_summary,
    wire_share,
)
from toolkit.topics import match_topics

Z95 = 1.959963984540054


def wilson(k: int, n: int) -> tuple[float, float]:
    p = k / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
    return centre - half, centre + half


def overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return not (a[0] > b[1] or a[1] < b[0])


def shares_table(rows: list[tuple[str, int, int]], topic: str = "Rain") -> pd.DataFrame:
    """An outlet_shares-like table from (outlet, n_matching, n_total) rows of one topic."""
    n_topic = sum(k for _, k, _ in rows)
    n_all = sum(n for _, _, n in rows)
    return pd.DataFrame(
        {
            "outlet": [o for o, _, _ in rows],
            "topic": topic,
            "n_matching": [k for _, k, _ in rows],
            "n_total": [n for _, _, n in rows],
            "share": [k / n for _, k, n in rows],
            "n_topic": n_topic,
            "n_all": n_all,
            "share_all": n_topic / n_all,
        }
    )


# --------------------------------------------------------------------------------------------
# share_sentences: the "twice" rule and the minimum
# --------------------------------------------------------------------------------------------


def test_more_than_twice_and_half_when_the_intervals_do_not_overlap():
    # A: 25/50 = 50%, B: 15/150 = 10%; corpus 40/200 = 20%. A/avg = 2.5, B/avg = 0.5.
    table = shares_table([("A", 25, 50), ("B", 15, 150)])
    assert not overlap(wilson(25, 50), wilson(15, 150))
    assert share_sentences(table) == [
        "A gave \u201cRain\u201d 50.0% of its coverage (25 of 50 articles), more than twice the "
        "corpus average (20.0%).",
        "B gave \u201cRain\u201d 10.0% of its coverage (15 of 150 articles), half the corpus "
        "average (20.0%).",
    ]


def test_no_twice_claim_when_the_intervals_overlap():
    # C: 4/10 = 40% is twice the corpus 40/200 = 20%, but 10 articles are too few to tell.
    table = shares_table([("C", 4, 10), ("D", 36, 190)])
    assert overlap(wilson(4, 10), wilson(36, 190))
    assert share_sentences(table) == []
    assert share_sentences(table, notable_only=False) == [
        "C gave \u201cRain\u201d 40.0% of its coverage (4 of 10 articles), not clearly different "
        "from the corpus average (20.0%).",
        "D gave \u201cRain\u201d 18.9% of its coverage (36 of 190 articles), not clearly different "
        "from the corpus average (20.0%).",
    ]


def test_no_claim_at_all_below_the_minimum():
    # E: 9 of its 9 articles (ratio 100/18.5 = 5.4, intervals apart), but 9 < MIN_ARTICLES.
    table = shares_table([("E", 9, 9), ("F", 28, 191)])
    assert MIN_ARTICLES == 10
    assert not overlap(wilson(9, 9), wilson(28, 191))
    assert not [s for s in share_sentences(table, notable_only=False) if s.startswith("E ")]
    # F (191 articles) may be compared; its 14.7% is clearly below the rest (9 of 9).
    assert share_sentences(table) == [
        "F gave \u201cRain\u201d 14.7% of its coverage (28 of 191 articles), below the corpus "
        "average (18.5%)."
    ]
    assert share_sentences(table, min_articles=9)[:1] == [
        "E gave \u201cRain\u201d 100.0% of its coverage (9 of 9 articles), more than five times "
        "the corpus average (18.5%)."
    ]


def test_above_below_and_none_wording_and_order():
    # G: 30/60 = 50% vs corpus 40/160 = 25% -> exactly twice; H: 10/40 = 25%; I: 0 of 60.
    table = shares_table([("H", 10, 40), ("G", 30, 60), ("I", 0, 60)])
    got = share_sentences(table)
    assert got == [
        "G gave \u201cRain\u201d 50.0% of its coverage (30 of 60 articles), twice the corpus "
        "average (25.0%).",
        "I did not mention \u201cRain\u201d in any of its 60 articles (corpus average 25.0%).",
    ]
    table = shares_table([("J", 80, 200), ("K", 40, 400)])  # 40% vs 10%; corpus 20%
    assert share_sentences(table)[0].endswith("twice the corpus average (20.0%).")
    table = shares_table([("L", 60, 200), ("M", 40, 400)])  # 30% vs 10%; corpus 100/600
    assert share_sentences(table)[0] == (
        "L gave \u201cRain\u201d 30.0% of its coverage (60 of 200 articles), above the corpus "
        "average (16.7%)."
    )
    assert share_sentences(table)[1].endswith("below the corpus average (16.7%).")
    assert share_sentences(table, max_sentences=1) == share_sentences(table)[:1]


def test_names_are_quoted_and_the_topic_filter_applies():
    table = pd.concat([shares_table([("A", 25, 50), ("B", 15, 150)], topic="Snow & *ice*"),
                       shares_table([("A", 25, 50), ("B", 15, 150)], topic="Rain")])
    got = share_sentences(table, topics=["Snow & *ice*"])
    assert len(got) == 2
    assert all("\u201cSnow & *ice*\u201d" in s for s in got)


def test_share_sentences_errors():
    with pytest.raises(SchemaError, match="lacks column.*'share_all'"):
        share_sentences(pd.DataFrame({"outlet": ["A"], "topic": ["x"]}))
    with pytest.raises(ParameterError, match="min_articles=0 is not valid"):
        share_sentences(shares_table([("A", 1, 2)]), min_articles=0)


def test_reach_sentence_lists_topics_most_mentioned_first():
    t = pd.DataFrame({"topic": ["Rain", "Snow", "Hail"], "n_matching": [3, 9, 3], "n_total": 20,
                      "share": [0.15, 0.45, 0.15]})
    assert reach_sentence(t) == (
        "Of the 20 articles, 9 (45.0%) mention \u201cSnow\u201d, 3 (15.0%) \u201cRain\u201d and "
        "3 (15.0%) \u201cHail\u201d."
    )
    assert reach_sentence(t.iloc[:1]) == "Of the 20 articles, 3 (15.0%) mention \u201cRain\u201d."
    assert reach_sentence(t.assign(n_total=0)) == "No articles were selected."


# --------------------------------------------------------------------------------------------
# peaks and spikes
# --------------------------------------------------------------------------------------------


def timeline(counts: list[tuple[str, int, int]], topic: str = "South Korea") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": pd.to_datetime([p for p, _, _ in counts], utc=True),
            "topic": topic,
            "n_matching": [k for _, k, _ in counts],
            "n_total": [n for _, _, n in counts],
        }
    )


def test_peak_sentence_ties_and_minimum():
    t = timeline([("2021-10-25", 3, 30), ("2021-11-01", 12, 40), ("2021-11-08", 5, 20)])
    assert peak_sentences(t) == [
        "Attention to \u201cSouth Korea\u201d peaked in the week of 1 November 2021 (12 of 40 articles)."
    ]
    tied = timeline([("2021-10-25", 4, 30), ("2021-11-01", 4, 40), ("2021-11-08", 4, 20)])
    assert peak_sentences(tied) == [
        "Attention to \u201cSouth Korea\u201d peaked in the week of 25 October 2021 (4 of 30 "
        "articles), and reached as many in 2 other periods."
    ]
    small = timeline([("2021-10-25", 2, 3), ("2021-11-01", 1, 40)])
    assert peak_sentences(small) == []
    assert len(peak_sentences(small, min_matching=2)) == 1


@pytest.mark.parametrize(
    ("freq", "phrase"),
    [
        ("D", "on 2 November 2021"),
        ("W", "in the week of 2 November 2021"),
        ("M", "in November 2021"),
        ("Q", "in Q4 2021"),
        ("Y", "in 2021"),
    ],
)
def test_period_wording(freq, phrase):
    t = timeline([("2021-11-02", 5, 9)], topic="Rain")
    assert peak_sentences(t, freq=freq) == [f"Attention to \u201cRain\u201d peaked {phrase} (5 of 9 articles)."]


def test_spike_sentences_only_flagged_rows():
    t = timeline([("2021-11-01", 1, 20), ("2021-11-02", 9, 20)], topic="Rain").assign(
        share=[0.05, 0.45], baseline=[0.05, 0.1], is_spike=[False, True]
    )
    assert spike_sentences(t, freq="D") == [
        "\u201cRain\u201d spiked on 2 November 2021: 9 of 20 articles (45.0%), against a usual 10.0%."
    ]
    counted = t.assign(baseline=[1.0, 2.0])
    assert spike_sentences(counted, freq="D", value="n_matching")[0].endswith(
        "against a usual 2 articles a period."
    )
    assert spike_sentences(t.assign(is_spike=False)) == []
    with pytest.raises(ParameterError, match="value='z' is not valid"):
        spike_sentences(t, value="z")


# --------------------------------------------------------------------------------------------
# Summaries from articles
# --------------------------------------------------------------------------------------------


@pytest.fixture
def rain_articles() -> pd.DataFrame:
    # A: 10 articles, 8 about rain; B: 10 articles, 1 about rain. All in the week of 1 Nov 2021.
    titles = ["Rain again"] * 8 + ["Sunny day"] * 2 + ["Rain once"] + ["Snow day"] * 9
    return pd.DataFrame(
        {
            "doc_id": [f"d{i:02d}" for i in range(20)],
            "outlet": ["A"] * 10 + ["B"] * 10,
            "published": pd.to_datetime(["2021-11-02 10:00"] * 20, utc=True),
            "title": titles,
            "text": ["Nothing more."] * 20,
        }
    )


TOPICS = {"Rain": ["rain"], "Snow": ["snow"]}


def test_coverage_summary_hand_computed(rain_articles):
    matches = match_topics(rain_articles, TOPICS)
    got = coverage_summary(rain_articles, matches, topics=["Rain"])
    # A: 8/10 vs the rest 1/10 (intervals apart); ratio 0.8 / 0.45 = 1.78 -> "above".
    assert not overlap(wilson(8, 10), wilson(1, 10))
    assert got == [
        "Of the 20 articles, 9 (45.0%) mention \u201cRain\u201d.",
        "A gave \u201cRain\u201d 80.0% of its coverage (8 of 10 articles), above the corpus average (45.0%).",
        "B gave \u201cRain\u201d 10.0% of its coverage (1 of 10 articles), less than half the corpus "
        "average (45.0%).",
        "Attention to \u201cRain\u201d peaked in the week of 1 November 2021 (9 of 20 articles).",
    ]
    # Fewer sentences when the outlets are too small to compare.
    assert len(coverage_summary(rain_articles, matches, topics=["Rain"], min_articles=11)) == 2
    assert len(coverage_summary(rain_articles, matches, max_sentences=1)) == 1


def test_outlet_summary_hand_computed(rain_articles):
    matches = match_topics(rain_articles, TOPICS)
    got = outlet_summary(rain_articles, matches)
    assert got[:4] == [
        "A published 10 of the 20 articles (50.0%).",
        "B published 10 of the 20 articles (50.0%).",
        "A's most-mentioned topic was \u201cRain\u201d (8 of 10 articles, 80.0%).",
        "B's most-mentioned topic was \u201cSnow\u201d (9 of 10 articles, 90.0%).",
    ]
    small = outlet_summary(rain_articles, matches, min_articles=11)
    assert small[-1] == "Too few articles (under 11) for comparisons: A, B."


def test_topic_summary_hand_computed_and_bad_topic(rain_articles):
    matches = match_topics(rain_articles, TOPICS)
    lo, hi = wilson(9, 20)
    got = topic_summary(rain_articles, matches, "Rain", topics=["Rain", "Snow"])
    assert got[0] == (
        f"\u201cRain\u201d was mentioned in 9 of 20 articles (45.0%, 95% interval "
        f"{100 * lo:.1f}% to {100 * hi:.1f}%)."
    )
    assert got[1] == "9 of the 9 matching articles (100.0%) name it in the headline."
    assert "Attention to \u201cRain\u201d peaked in the week of 1 November 2021 (9 of 20 articles)." in got
    assert not any("Snow" in s for s in got)  # no article mentions both
    with pytest.raises(ParameterError, match=r"topic='rain' is not valid.*'Rain', 'Snow'"):
        topic_summary(rain_articles, matches, "rain", topics=["Rain", "Snow"])


# --------------------------------------------------------------------------------------------
# Markdown display
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["A*B_c", "<script>alert(1)</script>", "R&D [x](http://e.org)", "`code` # not a heading", "a\\b |c| ~d~"],
)
def test_markdown_escaping_renders_the_text_literally(name):
    sentence = f"{name} gave \u201cRain\u201d 50.0% of its coverage."
    rendered = mistune.html(escape_markdown(sentence))
    assert "<script" not in rendered and "<a " not in rendered and "<em>" not in rendered
    assert "<code>" not in rendered and "<h1>" not in rendered and "<del>" not in rendered
    text = rendered.removeprefix("<p>").removesuffix("</p>\n")
    import html

    assert html.unescape(text) == sentence


def test_summary_markdown_is_a_bullet_list():
    md = summary_markdown(["One *a*.", "Two."])
    assert md.data == "**In brief**\n\n- One \\*a\\*.\n- Two."
    assert summary_markdown([], title=None).data == "- No figures to summarise."
    with pytest.raises(ParameterError, match="sentences"):
        summary_markdown("one sentence")


# --------------------------------------------------------------------------------------------
# Report helpers
# --------------------------------------------------------------------------------------------


def test_require_topic_and_comparison_groups():
    assert require_topic("Rain", ["Rain", "Snow"]) == "Rain"
    with pytest.raises(ParameterError, match=r"topic='Hail' is not valid.*'Rain', 'Snow'.*exactly"):
        require_topic("Hail", pd.DataFrame({"topic": ["Rain", "Snow", "Snow"]}))
    arts = pd.DataFrame({"outlet": ["A", "B", "B", "C"], "section": ["x", "x", "y", None]})
    assert comparison_groups(arts) == ["B", "A", "C"]
    assert comparison_groups(arts, outlets=["C", "A"]) == ["C", "A"]
    assert comparison_groups(arts, by="section") == ["x", "y"]
    with pytest.raises(ParameterError, match=r"outlets=\['A'\] is not valid: expected at least 2"):
        comparison_groups(arts, outlets=["A"])
    with pytest.raises(ParameterError, match=r"outlets=\['A', 'Z'\].*Not found: 'Z'"):
        comparison_groups(arts, outlets=["A", "Z"])
    with pytest.raises(ParameterError, match=r"by='colour' is not valid.*'outlet', 'section'"):
        comparison_groups(arts, by="colour")


def test_wire_share_counts_credits_and_cross_outlet_copies():
    arts = pd.DataFrame({"doc_id": list("abcde"), "outlet": ["A", "A", "A", "B", "B"]})
    sources = pd.DataFrame({"doc_id": list("abcde"),
                            "wire": [["Reuters"], [], ["AP", "AFP"], [], []], "cited": [[]] * 5})
    # Cluster 1: a (A) and d (B) -> cross-outlet; cluster 2: b and c, both A -> not shared.
    duplicates = arts.assign(dup_group=pd.array([1, 2, 2, 1, pd.NA], dtype="Int64"))
    got = wire_share(arts, sources=sources, duplicates=duplicates)
    assert got["outlet"].tolist() == ["A", "B"]
    assert got["n_articles"].tolist() == [3, 2]
    assert got["n_wire_credit"].tolist() == [2, 0]
    assert got["n_shared"].tolist() == [1, 1]
    assert got["share_shared"].tolist() == pytest.approx([1 / 3, 1 / 2])
    assert got["ci_low"].tolist() == pytest.approx([wilson(1, 3)[0], wilson(1, 2)[0]])


def test_spike_articles_spikes_then_peaks():
    arts = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d"],
            "outlet": ["X", "Y", "X", "Y"],
            "published": pd.to_datetime(["2021-11-01 09:00", "2021-11-01 12:00", "2021-11-02 08:00", "2021-11-02 09:00"], utc=True),
            "title": ["Rain one", "Rain two", "Snow", "Rain three"],
            "text": [""] * 4,
        }
    )
    matches = match_topics(arts, TOPICS)
    spikes = pd.DataFrame(
        {
            "period": pd.to_datetime(["2021-11-01", "2021-11-02"] * 2, utc=True),
            "topic": ["Rain", "Rain", "Snow", "Snow"],
            "n_matching": [2, 1, 0, 1],
            "n_total": [2, 2, 2, 2],
            "is_spike": [False, True, False, False],
        }
    )
    got = spike_articles(arts, matches, spikes, freq="D")
    assert got[["topic", "reason", "doc_id"]].values.tolist() == [
        ["Rain", "spike", "d"],
        ["Snow", "peak", "c"],
    ]
    assert spike_articles(arts, matches, spikes, freq="D", peaks=False)["doc_id"].tolist() == ["d"]
    only_peaks = spike_articles(arts, matches, spikes.assign(is_spike=False), freq="D", topics=["Rain"])
    # Newest first within the period.
    assert only_peaks["doc_id"].tolist() == ["b", "a"]


def test_summaries_of_an_empty_selection(rain_articles):
    empty = rain_articles.iloc[:0]
    matches = match_topics(empty, TOPICS)
    assert coverage_summary(empty, matches, topics=["Rain"]) == ["No articles were selected."]
    assert outlet_summary(empty, matches, topics=["Rain"]) == ["No articles were selected."]
    assert topic_summary(empty, matches, "Rain", topics=["Rain", "Snow"]) == ["No articles were selected."]


def test_outlet_summary_names_only_the_largest_of_many_outlets():
    sizes = {"A": 6, "B": 5, "C": 4, "D": 3, "E": 2, "F": 1}
    outlets = [o for o, n in sizes.items() for _ in range(n)]
    arts = pd.DataFrame(
        {
            "doc_id": [f"d{i:02d}" for i in range(len(outlets))],
            "outlet": outlets,
            "published": pd.to_datetime(["2021-11-02"] * len(outlets), utc=True),
            "title": ["Rain"] * len(outlets),
            "text": [""] * len(outlets),
        }
    )
    got = outlet_summary(arts, match_topics(arts, TOPICS), min_articles=5)
    assert got[0] == (
        "The 21 articles come from 6 outlets; the largest are A (6, 28.6%), B (5, 23.8%) and "
        "C (4, 19.0%)."
    )
    assert got[1:3] == [
        "A's most-mentioned topic was \u201cRain\u201d (6 of 6 articles, 100.0%).",
        "B's most-mentioned topic was \u201cRain\u201d (5 of 5 articles, 100.0%).",
    ]
    assert got[3] == "Too few articles (under 5) for comparisons: C, D, E, F."
    assert len(got) == 4  # every outlet at 100%: no difference to report
