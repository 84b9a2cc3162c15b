"""Tests for toolkit.sources: wire credits and cited sources, hand-labelled."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.errors import ParameterError, SchemaError
from toolkit.sources import (
    AGENCIES,
    MENTION_COLUMNS,
    agency_of,
    article_sources,
    source_counts,
    source_mentions,
    sources,
)


def one(text: str, **columns) -> pd.DataFrame:
    return pd.DataFrame({"doc_id": ["a"], "text": [text], **{k: [v] for k, v in columns.items()}})


def wire_of(text: str, **columns) -> list[str]:
    return article_sources(one(text, **columns))["wire"].iloc[0]


def cited_of(text: str) -> list[str]:
    return article_sources(one(text))["cited"].iloc[0]


# --- cited sources: literal sentences with hand-labelled sources -------------------------------

CITED = [
    # negatives: pronouns, non-attribution, objects of prepositions, coordination
    ("He said the talks would continue.", []),
    ("She told reporters that nothing had changed.", []),
    ("They said it was too early.", []),
    ("It said in a statement that profits rose.", []),
    ("I said no.", []),
    ("This is what he said.", []),
    ("Everyone said it was a good game.", []),
    ("Reporters said the room was empty.", []),
    ("It is not clear what Japan said to Korea.", []),
    ("Kishida landed in Glasgow hours before the South Korean President left for Hungary.", []),
    ("The head of Samsung said profits would rise.", []),
    ("Moon and Kishida said they would meet again.", []),
    ("Officials in Tokyo said the talks ended.", []),
    ("Tokyo has said repeatedly that it wants talks.", []),
    ("The move was welcomed by the president, who said it was overdue.", []),
    ("According to him, the deal is done.", []),
    ("Moon told Kishida that South Korea is willing.", ["Moon"]),  # Kishida is not a source
    ("A spokesperson declined to comment.", []),
    # reports / citing / quoting
    ("The official's remarks came after the summit, reports Yonhap News Agency.", ["Yonhap News Agency"]),
    ("Xinhua reported that the meeting ended.", ["Xinhua"]),
    ("The meeting ended, Xinhua news agency reported.", ["Xinhua news agency"]),
    ("Citing unnamed sources, the newspaper said the deal was off.", ["unnamed sources", "newspaper"]),
    # according to
    ("Profits fell 5%, according to the ministry.", ["ministry"]),
    ("Cases rose, according to data from Johns Hopkins University.", ["Johns Hopkins University"]),
    ("According to Reuters, the deal is done.", ["Reuters"]),
    # told (news media only) and interviews
    ("The minister told Reuters the plan was on track.", ["minister", "Reuters"]),
    ("Moon Jae-in told the Korea Herald he was hopeful.", ["Moon Jae-in", "Korea Herald"]),
    ("He told CNN the vote was fair.", ["CNN"]),
    ("She said in an interview with the BBC that she would run.", ["BBC"]),
    # spokesperson for
    ("A spokesperson for Google declined to comment.", ["Google"]),
    ("A spokesman for the ministry said no decision had been made.", ["ministry"]),
    # X said, with the subject's forms
    ("A senior presidential official on Thursday said South Korea is open to talks.", ["senior presidential official"]),
    ("The company said in a statement that sales fell.", ["company"]),
    ("Samsung said in a statement that sales fell.", ["Samsung"]),
    ("Police said two people were arrested.", ["police"]),
    ("On Monday the Foreign Ministry said it would respond.", ["Foreign Ministry"]),
    ("Last week Japan said it would lift curbs.", ["Japan"]),
    ("China's foreign ministry said the visit was postponed.", ["China's foreign ministry"]),
    ("The ban, which officials said was temporary, ended.", ["officials"]),
    ("The U.S. State Department said it was monitoring.", ["U.S. State Department"]),
    ("Japan's Kyodo News reported the talks had stalled.", ["Japan's Kyodo News"]),
    ("Mr Smith, the chief executive, said the results were strong.", ["Mr Smith"]),
    ("In a statement, the White House said the visit was postponed.", ["White House"]),
    ("But Downing Street said no.", ["Downing Street"]),
    ("The BBC said it had seen the letter.", ["BBC"]),
    # quote, then the verb
    ('"We will look at it," said Moon.', ["Moon"]),
    ("\u201cWe will look at it,\u201d the official told reporters.", ["official"]),
    ('"It is over," said the coach, who has led the team since 2010.', ["coach"]),
]


@pytest.mark.parametrize(("sentence", "expected"), CITED)
def test_cited_sources(sentence, expected):
    assert cited_of(sentence) == expected


# --- wire credits ------------------------------------------------------------------------------

WIRE = [
    ("Talks resumed.\n\nWith IANS Inputs", ["IANS"]),
    ("Talks resumed.\n\n(With inputs from PTI)", ["PTI"]),
    ("Talks resumed.\n\nWith inputs from agencies and ANI", ["ANI"]),
    ("WASHINGTON (AP) \u2014 The Senate voted on Monday.", ["AP"]),
    ("Seoul, Nov 4 (Yonhap) -- South Korea said on Thursday it would talk.", ["Yonhap"]),
    ("NEW DELHI, Nov 4 (PTI) The government on Thursday said it would act.", ["PTI"]),
    ("SYDNEY/BEIJING (Reuters) - Markets fell.", ["Reuters"]),
    ("(Reuters) - Markets fell.", ["Reuters"]),
    ("PARIS (AFP/Reuters) - Markets fell.", ["AFP", "Reuters"]),
    ("Markets fell sharply on Monday. \u2014 AFP", ["AFP"]),
    ("Markets fell.\n\nReuter", ["Reuters"]),
    ("Markets fell.\n\nCopyright 2020 The Associated Press. All rights reserved.", ["AP"]),
    ("Source: ANI\n\nMarkets fell.", ["ANI"]),
    ("TOKYO (Kyodo) -- Markets fell.", ["Kyodo"]),
    # not credits
    ("The French news agency (AFP) said the talks ended.", []),
    ("Reuters reported the talks had stalled.", []),
    ("He spoke with Reuters on Monday.", []),
    ("\u00a9 REUTERS / Jonathan Ernst\n\nOfficials met.", []),
    ("\u00a9 AFP 2020 / STR\n\nOfficials met.", []),
    ("\u00a9 AP Photo / Manish Swarup\n\nOfficials met.", []),
    ("The ap was down. UNI students protested. PA systems failed.", []),
    ("Reuters\n\nOfficials met in Seoul.", []),  # a photo credit at the top is not a sign-off
]


@pytest.mark.parametrize(("text", "expected"), WIRE)
def test_wire_credit_lines(text, expected):
    assert wire_of(text) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("IANS", ["IANS"]),
    ("Associated Press", ["AP"]),
    ("PTI, ANI", ["PTI", "ANI"]),
    ("With inputs from Reuters", ["Reuters"]),
    ("agencies", []),
    ("Kyodo News", ["Kyodo"]),
    ("Local Wire Service", ["Local Wire Service"]),  # explicit metadata is kept as written
    (None, []),
])
def test_wire_column(value, expected):
    assert wire_of("Nothing.", wire=value) == expected


@pytest.mark.parametrize(("byline", "expected"), [
    ("By Reuters Staff", ["Reuters"]),
    ("Jane Doe, Associated Press", ["AP"]),
    ("FPJ Web Desk", []),
    ("Apple Daily reporter", []),
])
def test_byline(byline, expected):
    assert wire_of("Nothing.", byline=byline) == expected


def test_credits_from_several_places_are_merged_in_order():
    got = source_mentions(one("LONDON (Reuters) - Markets fell.\n\nReuter", wire="Reuters", byline="AP"))
    wire = got[got["kind"] == "wire"]
    assert wire[["source", "n", "via"]].values.tolist() == [["Reuters", 3, "wire column"], ["AP", 1, "byline"]]


def test_agency_of():
    assert agency_of("Agence France-Presse") == "AFP"
    assert agency_of("the Associated Press") == "AP"
    assert agency_of("YONHAP") == "Yonhap"
    assert agency_of("Xinhua news agency") == "Xinhua"
    assert agency_of("ap") is None and agency_of("Moon") is None and agency_of(None) is None
    assert all(agency_of(name) == name for name in AGENCIES if len(name) > 4 or name.isupper())


# --- tables ------------------------------------------------------------------------------------


def test_seed_gives_ians_and_yonhap(seed):
    from toolkit.load import load_corpus

    articles = load_corpus(seed)
    got = article_sources(articles)
    assert got["wire"].iloc[0] == ["IANS"]
    cited = got["cited"].iloc[0]
    assert "Yonhap News Agency" in cited
    # precision: nothing from the RECENT STORIES block, no pronouns, no days
    assert not {"He", "Thursday", "Israel", "UK", "UN", "UN Report"} & set(cited)
    mentions = source_mentions(articles)
    assert mentions.loc[mentions["source"] == "Yonhap News Agency", "agency"].tolist() == ["Yonhap"]


def test_source_mentions_columns_and_evidence():
    text = "SEOUL (Yonhap) -- Talks stalled, the ministry said. The ministry said more."
    got = source_mentions(one(text))
    assert tuple(got.columns) == MENTION_COLUMNS
    assert got[["kind", "source", "agency", "n", "via"]].astype(object).where(got.notna(), None).values.tolist() == [
        ["wire", "Yonhap", "Yonhap", 1, "dateline"],
        ["cited", "ministry", None, 2, "said"],
    ]
    assert got["evidence"].tolist() == ["SEOUL (Yonhap)", "the ministry said"]


def test_sources_has_one_row_per_article_with_lists():
    a = pd.DataFrame({"doc_id": ["a", "b"], "text": ["Moon said yes. Moon said no.", None]})
    before = a.copy()
    got = article_sources(a)
    assert got.values.tolist() == [["a", [], ["Moon"]], ["b", [], []]]
    pd.testing.assert_frame_equal(a, before)
    assert article_sources(a, mentions=source_mentions(a)).values.tolist() == got.values.tolist()


def test_source_counts_with_denominators():
    a = pd.DataFrame({
        "doc_id": ["a", "b", "c", "d"],
        "outlet": ["X", "X", "X", "Y"],
        "wire": ["PTI", "PTI, ANI", None, None],
        "text": ["Kishida said no, reports Yonhap News Agency.", "Yonhap reported it.", "It rained.",
                 "Kishida said yes."],
    })
    got = source_counts(a)
    assert list(got.columns) == ["outlet", "kind", "source", "n", "n_articles", "share"]
    assert got.values.tolist() == [
        ["X", "cited", "Yonhap", 2, 3, pytest.approx(2 / 3)],  # both spellings count as Yonhap
        ["X", "cited", "Kishida", 1, 3, pytest.approx(1 / 3)],
        ["X", "wire", "PTI", 2, 3, pytest.approx(2 / 3)],
        ["X", "wire", "ANI", 1, 3, pytest.approx(1 / 3)],
        ["Y", "cited", "Kishida", 1, 1, 1.0],
    ]
    as_written = source_counts(a, kind="cited", canonical=False, by=None)
    assert as_written[["source", "n", "n_articles"]].values.tolist() == [
        ["Kishida", 2, 4], ["Yonhap", 1, 4], ["Yonhap News Agency", 1, 4],
    ]


def test_errors():
    a = one("x", outlet="X")
    with pytest.raises(ParameterError, match=r"kind='wires' is not valid: expected None or one of 'wire', 'cited'"):
        source_counts(a, kind="wires")
    with pytest.raises(ParameterError, match=r"by='desk' is not valid"):
        source_counts(a, by="desk")
    with pytest.raises(ParameterError, match=r"fields=\('body',\) is not valid"):
        article_sources(a, fields=("body",))
    with pytest.raises(SchemaError, match="lacks the column 'doc_id'"):
        article_sources(a.drop(columns="doc_id"))
    with pytest.raises(SchemaError, match="mentions must be the table from"):
        article_sources(a, mentions=pd.DataFrame({"doc_id": ["a"]}))


def test_bbc_has_no_wire_credits_and_plausible_citations(corpora):
    from conftest import read_bbc_plainly

    bbc = read_bbc_plainly(corpora).head(300)
    got = source_mentions(bbc)
    assert (got["kind"] == "cited").all()  # the BBC set carries no agency credit lines
    assert not set(got["source"]) & {"He", "She", "They", "It", "We", "I", "Monday", "Thursday"}
    assert got["doc_id"].nunique() > 200


def test_recovery_reuters_datelines(corpora):
    from toolkit.load import load_corpus

    path = corpora / "recovery-covid-news" / "dataset" / "reliable" / "news-dataset-reuters.csv"
    if not path.exists():
        pytest.skip(f"{path} not found")
    articles = load_corpus(path)
    counts = source_counts(articles, kind="wire", by=None)
    reuters = counts.loc[counts["source"] == "Reuters", "n"]
    assert len(reuters) == 1 and reuters.iloc[0] >= 0.7 * len(articles)


PIECES = list("abcXYZ ()-\u2014.,:\n\"'") + [
    " said ", " told ", "Reuters", "AP", "(AFP)", "He", "Moon", "according to ", "the ministry",
    "With IANS Inputs", "\u00a9", "2020", " reports ", "Yonhap News Agency", "Mr ", "The ",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_never_fails_and_wire_is_canonical(text):
    got = source_mentions(one(text))
    assert set(got.loc[got["kind"] == "wire", "source"]) <= set(AGENCIES)
    cited = set(got.loc[got["kind"] == "cited", "source"])
    assert not cited & {"He", "he", ""}
    assert all(s == s.strip() for s in cited)


def test_alias():
    assert sources is article_sources


def test_doc_ids_must_be_unique():
    a = pd.DataFrame({"doc_id": ["a", "a"], "text": ["Moon said yes.", "Kim said no."]})
    with pytest.raises(SchemaError, match="doc_id must be unique"):
        article_sources(a)


def test_source_counts_sample_bounds_each_group_and_is_seeded():
    a = pd.DataFrame({
        "doc_id": [f"d{i}" for i in range(7)],
        "outlet": ["X"] * 5 + ["Y"] * 2,
        "text": ["Kishida said no."] * 3 + ["Moon said yes."] * 2 + ["Kishida said so."] * 2,
    })
    full = source_counts(a)
    pd.testing.assert_frame_equal(source_counts(a, sample=5), full)  # no outlet above 5
    got = source_counts(a, sample=2, seed=1)
    # X is represented by 2 sampled articles: n and n_articles count sampled articles.
    x = got[got["outlet"] == "X"]
    assert x["n"].sum() == 2 and set(x["n_articles"]) == {2}
    assert got[got["outlet"] == "Y"].values.tolist() == [["Y", "cited", "Kishida", 2, 2, 1.0]]
    pd.testing.assert_frame_equal(got, source_counts(a, sample=2, seed=1))
    draws = {tuple(source_counts(a, sample=1, seed=s)["source"]) for s in range(10)}
    assert len(draws) > 1
    # A mentions table passed in is restricted to the sampled articles too.
    pd.testing.assert_frame_equal(source_counts(a, sample=2, seed=1, mentions=source_mentions(a)), got)
    assert source_counts(a, by=None, sample=3, seed=0)["n_articles"].tolist() == [3] * len(source_counts(a, by=None, sample=3, seed=0))


@pytest.mark.parametrize("bad", [0, -2, 2.5, True, "5"])
def test_source_counts_sample_errors(bad):
    with pytest.raises(ParameterError, match=r"sample=.* is not valid: expected None or an integer >= 1"):
        source_counts(one("Kishida said no.", outlet="X"), sample=bad)
