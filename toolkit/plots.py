"""Plotly figures for the toolkit's tables: a DataFrame and column names in, a ``go.Figure`` out.

Figures are returned, never shown; they display themselves in JupyterLab and carry their data
(no external resources), so they survive export to offline HTML. All use one template
(:data:`TEMPLATE`), one colour per series across facets, and hover texts that show the
denominators behind each figure.

A table with no rows (an empty selection, or no dated articles) gives a figure too: the title
and a centred :data:`NO_DATA` note, no traces. A report that selects nothing still runs to the
end and says so, instead of failing on its first chart.

Every text of a figure is plain text, shown literally. plotly.js renders a subset of HTML in
trace names, category labels, titles, annotations and hover labels (``<b>``, ``<a href>``,
``<br>``, ...), and outlet names, topics, terms and titles come from scraped articles: each
chart function passes its figure through :func:`escape_figure`, which HTML-escapes ``&``, ``<``
and ``>`` in those texts (plotly.js shows the entities as the characters again). Only the
hover templates and notes the toolkit writes itself keep their markup.
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Callable, Sequence
from typing import Any, Literal, ParamSpec

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import hex_to_rgb, qualitative
from plotly.subplots import make_subplots

from toolkit.errors import ParameterError, SchemaError, one_of

__all__ = [
    "NO_DATA", "TEMPLATE", "attention_chart", "cooccurrence_heatmap", "escape_figure", "escape_plotly_text",
    "keyness_chart", "outlet_topic_heatmap",
    "prominence_chart", "share_by_outlet_chart", "terms_chart", "tone_chart", "volume_chart",
]

#: The plotly template every figure uses.
TEMPLATE = "plotly_white"
#: The note a figure shows when its table has nothing to draw.
NO_DATA = "No data to show"
_PALETTE: tuple[str, ...] = tuple(qualitative.Plotly)
_PERIOD_AXIS = "Period start (UTC)"
_FACET_HEIGHT = 260


_P = ParamSpec("_P")
# Trace attributes whose strings plotly.js renders as (a subset of) HTML.
_TRACE_TEXT = ("name", "legendgroup", "meta", "text", "hovertext", "x", "y", "labels", "ids", "customdata")
_NO_DATA_NAME = "no-data"


def escape_plotly_text(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` so plotly.js shows ``text`` literally.

    plotly.js renders ``<b>``, ``<i>``, ``<br>``, ``<a href>`` and a few more tags in labels
    and hover texts, and turns the entities back into characters: ``"a < b"`` is drawn as
    ``a < b``, ``"<b>x</b>"`` as the five characters, not a bold x.

    Examples
    --------
    >>> escape_plotly_text('Herald "><b>bold</b> & more')
    'Herald "&gt;&lt;b&gt;bold&lt;/b&gt; &amp; more'
    """
    return html.escape(text, quote=False)


def _escaped(value: Any) -> Any:
    """``value`` with every string in it escaped; numbers, dates and None unchanged."""
    if isinstance(value, str):
        return escape_plotly_text(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "OU":
            return value
        # Object dtype out: a fixed-width "<U" array would cut the longer escaped strings short.
        return np.vectorize(_escaped, otypes=[object])(value) if value.size else value
    if isinstance(value, list | tuple):
        if not any(isinstance(v, str | list | tuple | np.ndarray) for v in value):
            return value
        return [_escaped(v) for v in value]
    return value


def escape_figure(fig: go.Figure) -> go.Figure:
    """A copy of ``fig`` in which every text that comes from data is shown literally.

    Escapes (see :func:`escape_plotly_text`) the strings of each trace's ``name``,
    ``legendgroup``, ``meta``, ``text``, ``hovertext``, ``x``, ``y``, ``labels``, ``ids`` and
    ``customdata``, the figure, axis, legend and colour-bar titles, the category orders and
    tick texts, and the annotations (subplot titles) but the toolkit's own "No data" note. Hover templates are left alone: they are the toolkit's own markup, and
    the values they show (``%{y}``, ``%{fullData.name}``, ...) are escaped at their source.
    Use it on figures made directly with plotly express from article data::

        escape_figure(px.box(lengths, x="n_tokens", y="outlet"))

    Call it once per figure: escaping twice shows ``&amp;lt;`` instead of ``<``.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        Not modified.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> fig = escape_figure(go.Figure(go.Bar(x=["<img src=x onerror=alert(1)>"], y=[1], name="a & b")))
    >>> fig.data[0].x[0], fig.data[0].name
    ('&lt;img src=x onerror=alert(1)&gt;', 'a &amp; b')
    """
    return _escape_in_place(go.Figure(fig))


def _unchanged(old: Any, new: Any) -> bool:
    """True when escaping left ``old`` as it was (``new`` is ``old`` or equal to it)."""
    if new is old:
        return True
    if isinstance(old, str) or isinstance(new, str):
        return old == new
    try:
        return len(old) == len(new) and all(
            a is b or (isinstance(a, str) and a == b) or _unchanged(a, b) for a, b in zip(old, new, strict=True))
    except TypeError:
        return False


def _escape_in_place(out: go.Figure) -> go.Figure:
    """:func:`escape_figure` on ``out`` itself (a figure nobody else holds yet): no copy, and a
    property is only set again (and validated by plotly again) when escaping changed it."""
    for trace in out.data:
        for attr in _TRACE_TEXT:
            if attr in trace and trace[attr] is not None:
                value = trace[attr]
                escaped = _escaped(value)
                if not _unchanged(value, escaped):
                    trace[attr] = escaped
        if "legendgrouptitle" in trace and trace.legendgrouptitle.text is not None:
            trace.legendgrouptitle.text = escape_plotly_text(trace.legendgrouptitle.text)
        colorbar = getattr(trace, "colorbar", None)
        if colorbar is not None and colorbar.title.text is not None:
            colorbar.title.text = escape_plotly_text(colorbar.title.text)
    layout = out.layout
    if layout.title.text is not None:
        layout.title.text = escape_plotly_text(layout.title.text)
    if layout.legend.title.text is not None:
        layout.legend.title.text = escape_plotly_text(layout.legend.title.text)
    for axis in (*out.select_xaxes(), *out.select_yaxes()):
        if axis.title.text is not None:
            axis.title.text = escape_plotly_text(axis.title.text)
        for attr in ("categoryarray", "ticktext", "tickvals"):
            if axis[attr] is not None:
                axis[attr] = _escaped(axis[attr])
    if layout.annotations:
        layout.annotations = [
            a if a.name == _NO_DATA_NAME or a.text is None else go.layout.Annotation(a, text=escape_plotly_text(a.text))
            for a in layout.annotations
        ]
    return out


def _plain_text_figure(function: Callable[_P, go.Figure]) -> Callable[_P, go.Figure]:
    """Pass the figure a chart function returns through :func:`escape_figure`."""

    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> go.Figure:
        return _escape_in_place(function(*args, **kwargs))  # a new figure: no copy needed

    return wrapper


def _require(table: pd.DataFrame, columns: Sequence[str | None], what: str, hint: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise SchemaError(f"{what} needs a pandas DataFrame, got {type(table).__name__}. {hint}")
    missing = [c for c in columns if c is not None and c not in table.columns]
    if missing:
        raise SchemaError(
            f"{what}: the table lacks the column(s) {missing}; it has {list(map(str, table.columns))}. {hint}"
        )


def _no_data_note(fig: go.Figure, reason: str) -> go.Figure:
    fig.add_annotation(
        text=f"{NO_DATA}<br><span style=\"font-size: 12px\">{reason}</span>", xref="paper", yref="paper",
        x=0.5, y=0.5, showarrow=False, font={"size": 16, "color": "#555"}, name=_NO_DATA_NAME,
    )
    return fig


def _empty_figure(title: str | None, reason: str) -> go.Figure:
    """A figure with the title and the :data:`NO_DATA` note, no traces and no axes."""
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE, title=title, height=300)
    # Axes with nothing on them would show a meaningless -1..6 range.
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _no_data_note(fig, reason)


def _count_axis(values: pd.Series) -> dict[str, object]:
    """Axis settings for whole counts: no fractional ticks such as 0.5 shown as "1" beside "0"."""
    top = values.to_numpy("float64", na_value=np.nan)
    top = float(np.nanmax(top)) if len(top) and np.isfinite(top).any() else 0.0
    return {"tickformat": ",d", "rangemode": "tozero", **({"dtick": 1} if top <= 5 else {})}


def _period_ticks(periods: pd.Series) -> dict[str, object]:
    """Ticks on the periods themselves.

    Left to itself plotly labels a single period in milliseconds and puts weekly ticks on
    Sundays while our weeks start on Monday; up to 16 periods get one tick each (every other
    one up to 32), more are left to plotly's date axis.
    """
    distinct = sorted(_naive_utc(periods.drop_duplicates().dropna()))
    if not distinct or len(distinct) > 32:
        return {}
    step = 1 if len(distinct) <= 16 else 2
    return {"tickvals": distinct[::step], "tickformat": "%Y-%m-%d" if len(distinct) == 1 else "%b %d\n%Y"}


def _rgba(color: str, alpha: float) -> str:
    r, g, b = hex_to_rgb(color)
    return f"rgba({r}, {g}, {b}, {alpha})"


def _colors(values: Sequence[object]) -> dict[object, str]:
    return {v: _PALETTE[i % len(_PALETTE)] for i, v in enumerate(values)}


def _label(value: object) -> str:
    return "(missing)" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _levels(table: pd.DataFrame, column: str | None) -> list[object]:
    """Distinct values of a column in first-seen order (missing values included once)."""
    if column is None:
        return [None]
    return list(pd.unique(table[column]))


def _select(table: pd.DataFrame, column: str | None, value: object) -> pd.DataFrame:
    if column is None:
        return table
    values = table[column]
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return table[values.isna()]
    return table[values == value]


def _naive_utc(values: pd.Series) -> list[object]:
    """Period starts as naive UTC datetimes: plotly.js has no time zones and would misplace offsets."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    return values.tolist()


def _band(x: list[object], low: np.ndarray, high: np.ndarray) -> tuple[list[object], list[float | None]]:
    """A closed outline per run of defined bounds, runs separated by gaps (fill='toself' fills each)."""
    bx: list[object] = []
    by: list[float | None] = []
    defined = ~(np.isnan(low) | np.isnan(high))
    i = 0
    while i < len(x):
        if not defined[i]:
            i += 1
            continue
        j = i
        while j < len(x) and defined[j]:
            j += 1
        xs = x[i:j]
        bx += xs + xs[::-1] + [None]
        by += high[i:j].tolist() + low[i:j][::-1].tolist() + [None]
        i = j
    return bx, by


@_plain_text_figure
def attention_chart(
    table: pd.DataFrame,
    *,
    y: Literal["share", "n_matching"] = "share",
    color: str | None = "topic",
    facet: str | None = None,
    ci: bool = True,
    title: str | None = None,
) -> go.Figure:
    """Attention over time: one line (with markers) per ``color`` value over ``period``.

    Parameters
    ----------
    table
        A timeline such as :func:`toolkit.coverage.attention` returns (``period``, ``topic``,
        ``n_matching``, ``n_total``, ``share``, ``ci_low``, ``ci_high``, and any group column).
    y
        ``"share"`` (percent of all articles in the period) or ``"n_matching"`` (article count).
    color
        Column whose values get one line each (None: one line).
    facet
        Column whose values get one panel each, stacked vertically with a shared time axis.
    ci
        Draw the Wilson interval as a shaded band around each share line (only for
        ``y="share"``).
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        One line trace per series (per facet), plus one band trace before each line when the
        interval is drawn. Hover shows the share, ``n_matching`` of ``n_total`` and the interval.
        When the table has an ``is_spike`` column (:func:`toolkit.coverage.detect_spikes`), the
        spikes of each series are marked by a star trace after its line (mode ``"markers"``,
        named "spike", one legend entry), whose hover adds the z-score and the baseline.
        A table with no rows, or whose periods all have ``n_total == 0`` (a range without
        articles), gives the title and a "No data to show" note instead of lines.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"period": pd.to_datetime(["2021-11-01", "2021-11-08"], utc=True),
    ...     "topic": "Japan", "n_matching": [1, 0], "n_total": [2, 3], "share": [0.5, 0.0],
    ...     "ci_low": [0.09, 0.0], "ci_high": [0.91, 0.56]})
    >>> len(attention_chart(t).data)
    2
    """
    if y not in ("share", "n_matching"):
        raise ParameterError("y", y, one_of(("share", "n_matching")))
    band = bool(ci) and y == "share"
    needed = ["period", "n_matching", "n_total", y, color, facet] + (["ci_low", "ci_high"] if band else [])
    hint = "Make it with toolkit.coverage.attention(articles, matches)" + (", or pass ci=False." if band else ".")
    _require(table, list(dict.fromkeys(needed)), "attention_chart", hint)
    for name, column in (("color", color), ("facet", facet)):
        if column in ("period", y):
            raise ParameterError(name, column, "a grouping column such as 'topic' or 'outlet'")

    if table.empty:
        return _empty_figure(title, "no periods in the table: no dated articles in the selection")
    if not (table["n_total"].fillna(0) > 0).any() or not np.isfinite(table[y].to_numpy("float64", na_value=np.nan)).any():
        # Every period is empty: zero lines (or undefined shares) would only look like data.
        return _empty_figure(title, "no articles in any period of the table")
    data = table.sort_values("period", kind="stable")
    series = _levels(data, color)
    panels = _levels(data, facet)
    colors = _colors(series)
    if facet is None:
        fig = go.Figure()
    else:
        fig = make_subplots(rows=len(panels), cols=1, shared_xaxes=True, vertical_spacing=min(0.08, 0.5 / max(len(panels) - 1, 1)),
                            subplot_titles=[f"{facet} = {_label(p)}" for p in panels])
    is_share = y == "share"
    has_ci = {"ci_low", "ci_high"} <= set(data.columns)
    value_hover = "share %{y:.1%}" if is_share else "%{y:,} matching articles"
    hover = (
        "<b>%{fullData.name}</b><br>%{x|%Y-%m-%d}<br>" + value_hover
        + "<br>%{customdata[0]:,} of %{customdata[1]:,} articles"
        + ("<br>95% CI %{customdata[2]:.1%} – %{customdata[3]:.1%}" if is_share and has_ci else "")
        + "<extra></extra>"
    )
    in_legend: set[str] = set()
    has_spikes = "is_spike" in data.columns
    spike_legend = False
    for row, panel in enumerate(panels, start=1):
        in_panel = _select(data, facet, panel)
        for value in series:
            part = _select(in_panel, color, value)
            if part.empty:
                continue
            name = "all articles" if color is None else _label(value)
            x = _naive_utc(part["period"])
            position = {} if facet is None else {"row": row, "col": 1}
            if band:
                bx, by_ = _band(x, part["ci_low"].to_numpy("float64", na_value=np.nan),
                                part["ci_high"].to_numpy("float64", na_value=np.nan))
                fig.add_trace(go.Scatter(
                    x=bx, y=by_, fill="toself", fillcolor=_rgba(colors[value], 0.18), mode="lines",
                    line={"width": 0}, hoverinfo="skip", showlegend=False, legendgroup=name,
                    name=f"{name} (95% CI)",
                ), **position)
            extra = ["ci_low", "ci_high"] if has_ci else []
            custom = part[["n_matching", "n_total", *extra]].to_numpy("float64", na_value=np.nan)
            values = part[y].to_numpy("float64", na_value=np.nan)
            # Whiskers as well as the band: a period with empty neighbours has no band to draw,
            # and its interval is the widest of all.
            whiskers = {} if not band else {"error_y": {
                "type": "data", "symmetric": False, "thickness": 1, "width": 0, "color": colors[value],
                "array": part["ci_high"].to_numpy("float64", na_value=np.nan) - values,
                "arrayminus": values - part["ci_low"].to_numpy("float64", na_value=np.nan),
            }}
            fig.add_trace(go.Scatter(
                x=x, y=values, mode="lines+markers", name=name,
                legendgroup=name, showlegend=name not in in_legend,
                line={"color": colors[value]}, marker={"color": colors[value], "size": 6},
                customdata=custom, hovertemplate=hover, connectgaps=False, **whiskers,
            ), **position)
            in_legend.add(name)
            if has_spikes:
                _add_spikes(fig, part, x, values, colors[value], name, hover_value=value_hover,
                            show_legend=not spike_legend, position=position)
                spike_legend = spike_legend or bool(part["is_spike"].fillna(False).astype(bool).any())
    y_title = "Share of articles" if is_share else "Matching articles"
    fig.update_layout(
        template=TEMPLATE, title=title, hovermode="closest",
        legend_title_text=None if color is None else color,
        height=None if facet is None else max(400, _FACET_HEIGHT * len(panels)),
    )
    if is_share:
        fig.update_yaxes(title_text=y_title, rangemode="tozero", tickformat=".0%")
    else:
        fig.update_yaxes(title_text=y_title, **_count_axis(data[y]))
    fig.update_xaxes(title_text=None, **_period_ticks(data["period"]))
    fig.update_xaxes(title_text=_PERIOD_AXIS, row=len(panels) if facet is not None else None,
                     col=1 if facet is not None else None)
    return fig


def _add_spikes(fig: go.Figure, part: pd.DataFrame, x: list[object], values: np.ndarray, color: str, name: str,
                *, hover_value: str, show_legend: bool, position: dict[str, int]) -> None:
    """Star markers on the spikes of one series (nothing when it has none)."""
    flags = part["is_spike"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    if not flags.any():
        return
    extra = [c for c in ("z", "baseline") if c in part.columns]
    custom = part.loc[flags, ["n_matching", "n_total", *extra]].to_numpy("float64", na_value=np.nan)
    hover = ("<b>Spike: %{meta}</b><br>%{x|%Y-%m-%d}<br>" + hover_value
             + "<br>%{customdata[0]:,} of %{customdata[1]:,} articles"
             + ("<br>z = %{customdata[2]:.1f}" if "z" in extra else "")
             + (f"<br>baseline (median) %{{customdata[{2 + extra.index('baseline')}]:.3g}}" if "baseline" in extra else "")
             + "<extra></extra>")
    fig.add_trace(go.Scatter(
        x=[xi for xi, f in zip(x, flags, strict=True) if f], y=values[flags], mode="markers", name="spike",
        meta=name, legendgroup="spike", showlegend=show_legend, customdata=custom, hovertemplate=hover,
        marker={"symbol": "star", "size": 14, "color": color, "line": {"width": 1, "color": "#333"}},
    ), **position)


@_plain_text_figure
def volume_chart(
    table: pd.DataFrame,
    *,
    by: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Articles per period as bars, stacked by group.

    Parameters
    ----------
    table
        A table such as :func:`toolkit.coverage.volume` returns (``period``, ``n_articles`` and
        the ``by`` column).
    by
        Column whose values are stacked (one bar trace each); None for one bar per period.
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per group. Hover shows the group's count and the period's total. A table
        with no rows gives the title and a "No data to show" note.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"period": pd.to_datetime(["2021-11-01"] * 2, utc=True),
    ...                   "outlet": ["X", "Y"], "n_articles": [3, 1]})
    >>> len(volume_chart(t, by="outlet").data)
    2
    """
    _require(table, ["period", "n_articles", by], "volume_chart",
             "Make it with toolkit.coverage.volume(articles, by=...).")
    if by in ("period", "n_articles"):
        raise ParameterError("by", by, "a grouping column such as 'outlet'")
    if table.empty:
        return _empty_figure(title, "no periods in the table: no dated articles in the selection")
    data = table.sort_values("period", kind="stable")
    totals = data.groupby("period", sort=False)["n_articles"].transform("sum")
    groups = _levels(data, by)
    colors = _colors(groups)
    fig = go.Figure()
    for value in groups:
        part = _select(data, by, value)
        name = "all articles" if by is None else _label(value)
        fig.add_trace(go.Bar(
            x=_naive_utc(part["period"]), y=part["n_articles"].to_numpy("int64"), name=name,
            marker_color=colors[value], customdata=totals.loc[part.index].to_numpy("int64"),
            hovertemplate="<b>%{fullData.name}</b><br>%{x|%Y-%m-%d}<br>%{y:,} articles"
                          "<br>%{customdata:,} in the period<extra></extra>",
        ))
    fig.update_layout(template=TEMPLATE, title=title, barmode="stack", bargap=0.15,
                      legend_title_text=by, showlegend=by is not None)
    fig.update_xaxes(title_text=_PERIOD_AXIS, **_period_ticks(data["period"]))
    fig.update_yaxes(title_text="Articles", **_count_axis(totals))
    return fig


@_plain_text_figure
def terms_chart(
    table: pd.DataFrame,
    *,
    term: str = "term",
    value: str = "n",
    by: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Horizontal bars of a value per term, largest on top; one panel per group when ``by`` is given.

    Parameters
    ----------
    table
        A counts table (e.g. top terms): one row per term (per group). Plot what you pass: filter
        to the top terms first.
    term
        Column with the labels.
    value
        Column with the bar lengths.
    by
        Column whose values get one panel each (up to three panels per row).
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per group (one in all when ``by`` is None). A table with no rows gives the
        title and a "No data to show" note.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"term": ["japan", "korea"], "n": [5, 3]})
    >>> list(terms_chart(t).data[0].y)
    ['korea', 'japan']
    """
    _require(table, [term, value, by], "terms_chart",
             "Pass term= and value= naming its label and number columns.")
    if by is not None and by in (term, value):
        raise ParameterError("by", by, f"a grouping column other than term={term!r} and value={value!r}")
    if table.empty:
        return _empty_figure(title, "no terms: no words counted in the selected articles")
    groups = _levels(table, by)
    cols = min(len(groups), 3)
    rows = math.ceil(len(groups) / cols)
    longest = max(1, *(len(_select(table, by, g)) for g in groups))
    row_px = 50 + 22 * longest  # room for one bar label per term
    gap_px = 80  # between panel rows: tick labels, axis title and the next panel's title
    height = max(350, 130 + rows * row_px + (rows - 1) * gap_px)
    if by is None:
        fig = go.Figure()
    else:
        fig = make_subplots(rows=rows, cols=cols, subplot_titles=[_label(g) for g in groups],
                            horizontal_spacing=0.15 if cols > 1 else 0.0,
                            vertical_spacing=gap_px / (height - 130) if rows > 1 else 0.0)
    for k, group in enumerate(groups):
        # Plotly draws horizontal bars bottom-up: ascending order puts the largest on top.
        part = _select(table, by, group).sort_values(value, ascending=True, kind="stable")
        position = {} if by is None else {"row": k // cols + 1, "col": k % cols + 1}
        fig.add_trace(go.Bar(
            x=part[value].tolist(), y=[str(t) for t in part[term]], orientation="h",
            name="all" if by is None else _label(group), marker_color=_PALETTE[k % len(_PALETTE)],
            showlegend=False, hovertemplate=f"%{{y}}<br>{escape_plotly_text(str(value))} = %{{x:,}}<extra></extra>",
        ), **position)
    fig.update_layout(template=TEMPLATE, title=title, height=height)
    fig.update_xaxes(title_text=value)
    fig.update_yaxes(title_text=None, automargin=True)
    return fig


# ---------------------------------------------------------------------------------------------
# Outlets, prominence, co-occurrence, keyness, tone
# ---------------------------------------------------------------------------------------------


#: A horizontal legend above the plot, right-aligned: clear of long axis titles below.
_TOP_LEGEND = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1}


def _finite(values: pd.Series | np.ndarray) -> np.ndarray:
    return np.asarray(pd.Series(values).to_numpy("float64", na_value=np.nan), dtype="float64")


def _nothing_defined(values: pd.Series | np.ndarray) -> bool:
    return not np.isfinite(_finite(values)).any()


def _labels(values: pd.Series) -> list[str]:
    return [_label(v) for v in values]


@_plain_text_figure
def share_by_outlet_chart(
    table: pd.DataFrame,
    *,
    by: str = "outlet",
    topic: str = "topic",
    value: Literal["share_of_topic", "n_matching"] = "share_of_topic",
    title: str | None = None,
) -> go.Figure:
    """Who covers each topic: one bar per topic, stacked by outlet.

    Parameters
    ----------
    table
        An outlet comparison such as :func:`toolkit.coverage.outlet_shares` returns (``by``,
        ``topic``, ``n_matching``, ``n_total``, ``n_topic`` and ``value``).
    by
        The column whose values are stacked (one bar trace each).
    topic
        The column with the bars' categories.
    value
        ``"share_of_topic"`` (the outlet's part of all articles on the topic: each bar adds up to
        100%) or ``"n_matching"`` (article counts: each bar is the topic's ``n_topic``).
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per outlet, stacked. Hover shows the outlet's ``n_matching`` of the
        topic's ``n_topic`` articles and its share of its own output (``n_matching`` of
        ``n_total``). A table with no rows, or no topic with any article, gives the title and a
        "No data to show" note.

    Examples
    --------
    >>> t = pd.DataFrame({"outlet": ["X", "Y"], "topic": "Rain", "n_matching": [1, 3], "n_total": [4, 6],
    ...                   "n_topic": 4, "share_of_topic": [0.25, 0.75]})
    >>> [tr.y.tolist() for tr in share_by_outlet_chart(t).data]
    [[0.25], [0.75]]
    """
    if value not in ("share_of_topic", "n_matching"):
        raise ParameterError("value", value, one_of(("share_of_topic", "n_matching")))
    _require(table, list(dict.fromkeys([by, topic, "n_matching", "n_total", "n_topic", value])),
             "share_by_outlet_chart", "Make it with toolkit.coverage.outlet_shares(articles, matches, by=...).")
    if table.empty:
        return _empty_figure(title, "no outlets or topics in the table")
    if not (table["n_topic"].fillna(0) > 0).any():
        return _empty_figure(title, "no article matches any topic")
    topics = _levels(table, topic)
    groups = _levels(table, by)
    colors = _colors(groups)
    is_share = value == "share_of_topic"
    hover = ("<b>%{fullData.name}</b><br>%{x}<br>"
             + ("%{y:.1%} of the topic's articles" if is_share else "%{y:,} articles")
             + "<br>%{customdata[0]:,} of %{customdata[1]:,} articles on the topic"
             + "<br>%{customdata[2]:.1%} of the outlet's own %{customdata[3]:,} articles<extra></extra>")
    fig = go.Figure()
    for group in groups:
        part = _select(table, by, group).set_index(topic).reindex(topics)
        k = _finite(part["n_matching"])
        n = _finite(part["n_total"])
        with np.errstate(divide="ignore", invalid="ignore"):
            own = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
        fig.add_trace(go.Bar(
            x=[_label(t) for t in topics], y=_finite(part[value]), name=_label(group), marker_color=colors[group],
            customdata=np.column_stack([k, _finite(part["n_topic"]), own, n]), hovertemplate=hover,
        ))
    fig.update_layout(template=TEMPLATE, title=title, barmode="stack", bargap=0.3, legend_title_text=by)
    fig.update_xaxes(title_text=topic.capitalize() if topic == "topic" else topic, type="category")
    if is_share:
        fig.update_yaxes(title_text="Share of the topic's articles", tickformat=".0%", range=[0, 1])
    else:
        fig.update_yaxes(title_text="Matching articles", **_count_axis(table.groupby(topic)["n_matching"].sum()))
    return fig


_HEATMAP_VALUES = ("share", "share_of_topic", "ratio_to_all")


@_plain_text_figure
def outlet_topic_heatmap(
    table: pd.DataFrame,
    *,
    by: str = "outlet",
    topic: str = "topic",
    value: Literal["share", "share_of_topic", "ratio_to_all"] = "share",
    title: str | None = None,
) -> go.Figure:
    """Outlets x topics as a heatmap of shares, each cell annotated with its value.

    Parameters
    ----------
    table
        An outlet comparison such as :func:`toolkit.coverage.outlet_shares` returns.
    by
        The column with the rows (outlets).
    topic
        The column with the columns (topics).
    value
        ``"share"`` (of the outlet's own output), ``"share_of_topic"`` (of all articles on the
        topic) or ``"ratio_to_all"`` (share against the corpus-wide share; a diverging scale
        centred on 1).
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        One heatmap trace. Hover shows the value, ``n_matching`` of ``n_total`` (the outlet's
        articles) and of ``n_topic`` (the topic's articles). A table with no rows, or no
        defined value, gives the title and a "No data to show" note.

    Examples
    --------
    >>> t = pd.DataFrame({"outlet": ["X", "X", "Y", "Y"], "topic": ["Rain", "Sun"] * 2,
    ...     "n_matching": [1, 0, 2, 1], "n_total": [2, 2, 4, 4], "n_topic": [3, 1, 3, 1],
    ...     "share": [0.5, 0.0, 0.5, 0.25]})
    >>> outlet_topic_heatmap(t).data[0].z.tolist()
    [[0.5, 0.0], [0.5, 0.25]]
    """
    if value not in _HEATMAP_VALUES:
        raise ParameterError("value", value, one_of(_HEATMAP_VALUES))
    _require(table, list(dict.fromkeys([by, topic, "n_matching", "n_total", "n_topic", value])),
             "outlet_topic_heatmap", "Make it with toolkit.coverage.outlet_shares(articles, matches, by=...).")
    if table.empty or _nothing_defined(table[value]):
        return _empty_figure(title, "no outlet with articles in the table")
    table = table.reset_index(drop=True)  # positions below are index labels: make them unique
    rows = _levels(table, by)
    cols = _levels(table, topic)
    z = np.full((len(rows), len(cols)), np.nan)
    custom = np.full((len(rows), len(cols), 3), np.nan)
    row_of = {i: r for r, g in enumerate(rows) for i in _select(table, by, g).index}
    col_of = {i: c for c, t in enumerate(cols) for i in _select(table, topic, t).index}
    values = _finite(table[value])
    figures = table[["n_matching", "n_total", "n_topic"]].to_numpy("float64", na_value=np.nan)
    for k, i in enumerate(table.index):
        z[row_of[i], col_of[i]] = values[k]
        custom[row_of[i], col_of[i]] = figures[k]
    ratio = value == "ratio_to_all"
    label = {"share": "Share of the outlet's articles", "share_of_topic": "Share of the topic's articles",
             "ratio_to_all": "Share / corpus share"}[value]
    fmt = ".2f" if ratio else ".0%"
    scale = {"colorscale": "RdBu_r", "zmid": 1.0} if ratio else {"colorscale": "Blues", "zmin": 0.0}
    fig = go.Figure(go.Heatmap(
        z=z, x=[_label(c) for c in cols], y=[_label(r) for r in rows], customdata=custom,
        texttemplate=f"%{{z:{fmt}}}", hoverongaps=False,
        colorbar={"title": {"text": label, "side": "right"}, "tickformat": ".2f" if ratio else ".0%"},
        hovertemplate=f"<b>%{{y}}</b> · %{{x}}<br>{label}: %{{z:{'.2f' if ratio else '.1%'}}}"
                      "<br>%{customdata[0]:,} of the outlet's %{customdata[1]:,} articles"
                      "<br>%{customdata[0]:,} of the topic's %{customdata[2]:,} articles<extra></extra>",
        **scale,
    ))
    fig.update_layout(template=TEMPLATE, title=title, height=max(350, 120 + 40 * len(rows)))
    fig.update_xaxes(title_text=topic.capitalize() if topic == "topic" else topic, type="category", side="bottom")
    fig.update_yaxes(title_text=by, type="category", autorange="reversed", automargin=True)
    return fig


#: The prominence categories: column suffix, legend label, colour.
_PLACES: tuple[tuple[str, str, str], ...] = (
    ("title", "In the headline", "#1f4e79"),
    ("lede", "In the lede (not the headline)", "#4f8fc0"),
    ("body_only", "Only in the body", "#b9d3ea"),
)


@_plain_text_figure
def prominence_chart(
    table: pd.DataFrame,
    *,
    by: str | None = None,
    topic: str = "topic",
    title: str | None = None,
) -> go.Figure:
    """Where topics are mentioned: a 100% bar per topic (per group), headline / lede / body only.

    Parameters
    ----------
    table
        A prominence table such as :func:`toolkit.coverage.prominence` returns (``topic``,
        ``n_matching``, ``n_title``, ``n_lede``, ``n_body_only``, ``share_title``,
        ``share_lede``, ``share_body_only`` and the ``by`` column).
    by
        A group column: the bars are then grouped by it (a two-level axis, group then topic).
    topic
        The column with the topics.
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Three horizontal bar traces (headline, lede, body only), stacked to 100% of the
        matching articles. Hover shows the count of each category of ``n_matching``. A table
        with no rows, or no matching article, gives the title and a "No data to show" note.

    Examples
    --------
    >>> t = pd.DataFrame({"topic": ["Rain"], "n_matching": [4], "n_title": [1], "n_lede": [1],
    ...     "n_body_only": [2], "share_title": [0.25], "share_lede": [0.25], "share_body_only": [0.5]})
    >>> [tr.x.tolist() for tr in prominence_chart(t).data]
    [[0.25], [0.25], [0.5]]
    """
    needed = [by, topic, "n_matching"] + [f"{p}_{c}" for c, _, _ in _PLACES for p in ("n", "share")]
    _require(table, list(dict.fromkeys(needed)), "prominence_chart",
             "Make it with toolkit.coverage.prominence(articles, matches).")
    if by is not None and by in (topic, "n_matching"):
        raise ParameterError("by", by, f"a grouping column other than topic={topic!r}")
    if table.empty or not (table["n_matching"].fillna(0) > 0).any():
        return _empty_figure(title, "no article matches any topic")
    # Bottom-up drawing: reversed so that the first topic (and group) is on top.
    data = table.iloc[::-1]
    if by is None:
        y: object = _labels(data[topic])
    else:
        y = [_labels(data[by]), _labels(data[topic])]
    fig = go.Figure()
    for column, name, color in _PLACES:
        fig.add_trace(go.Bar(
            x=_finite(data[f"share_{column}"]), y=y, orientation="h", name=name, marker_color=color,
            customdata=data[[f"n_{column}", "n_matching"]].to_numpy("float64", na_value=np.nan),
            hovertemplate=f"<b>%{{y}}</b><br>{name}: %{{x:.1%}}"
                          "<br>%{customdata[0]:,} of %{customdata[1]:,} matching articles<extra></extra>",
        ))
    fig.update_layout(template=TEMPLATE, title=title, barmode="stack", bargap=0.25,
                      height=max(300, 140 + 28 * len(data)), legend=_TOP_LEGEND)
    fig.update_xaxes(title_text="Share of matching articles", tickformat=".0%", range=[0, 1])
    fig.update_yaxes(title_text=None if by is not None else (topic.capitalize() if topic == "topic" else topic),
                     automargin=True)
    return fig


_COOCCURRENCE_VALUES = ("jaccard", "n_both", "pmi")


@_plain_text_figure
def cooccurrence_heatmap(
    table: pd.DataFrame,
    *,
    value: Literal["jaccard", "n_both", "pmi"] = "jaccard",
    title: str | None = None,
) -> go.Figure:
    """Topic x topic heatmap of a co-occurrence table (symmetric; the diagonal only when given).

    Parameters
    ----------
    table
        A table from :func:`toolkit.coverage.cooccurrence` (``topic_a``, ``topic_b``, ``n_a``,
        ``n_b``, ``n_both``, ``n_either``, ``n_articles`` and ``value``), ordered or not: an
        unordered pair fills both cells.
    value
        ``"jaccard"`` (0 to 1), ``"n_both"`` (articles on both topics) or ``"pmi"`` (a
        diverging scale centred on 0; pairs that never meet, PMI ``-inf``, are left blank and
        say so in the hover).
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        One heatmap trace, topics in first-seen order on both axes. Hover shows ``n_both``,
        ``n_a``, ``n_b``, ``n_either`` and ``n_articles``. A table with no rows gives the title
        and a "No data to show" note.

    Examples
    --------
    >>> t = pd.DataFrame({"topic_a": ["Rain"], "topic_b": ["Sun"], "n_a": [2], "n_b": [2], "n_both": [1],
    ...     "n_either": [3], "n_articles": [4], "jaccard": [1 / 3], "pmi": [0.0]})
    >>> cooccurrence_heatmap(t).data[0].z.round(2).tolist()
    [[nan, 0.33], [0.33, nan]]
    """
    if value not in _COOCCURRENCE_VALUES:
        raise ParameterError("value", value, one_of(_COOCCURRENCE_VALUES))
    figures = ["n_both", "n_a", "n_b", "n_either", "n_articles"]
    _require(table, list(dict.fromkeys(["topic_a", "topic_b", *figures, value])), "cooccurrence_heatmap",
             "Make it with toolkit.coverage.cooccurrence(matches, articles=articles).")
    if table.empty:
        return _empty_figure(title, "no pair of topics in the table")
    if not (table["n_either"] > 0).any():
        return _empty_figure(title, "no article mentions any of these topics")
    topics = list(dict.fromkeys([*table["topic_a"].tolist(), *table["topic_b"].tolist()]))
    where = {t: i for i, t in enumerate(topics)}
    k = len(topics)
    z = np.full((k, k), np.nan)
    custom = np.full((k, k, len(figures)), np.nan)
    values = _finite(table[value])
    counts = table[figures].to_numpy("float64", na_value=np.nan)
    ordered = list(zip(table["topic_a"], table["topic_b"], strict=True))
    for (a, b), v, c in zip(ordered, values, counts, strict=True):
        i, j = where[a], where[b]
        for r, s in ((i, j), (j, i)):
            # An unordered table fills both cells; an ordered one gives each cell its own row.
            if r == i or np.isnan(custom[r, s, 0]):
                z[r, s] = v
                custom[r, s] = c if (r, s) == (i, j) else c[[0, 2, 1, 3, 4]]
    never = np.isneginf(z)
    z = np.where(np.isfinite(z), z, np.nan)
    text = np.where(never, "never together", "")
    label = {"jaccard": "Jaccard", "n_both": "Articles on both", "pmi": "PMI (bits)"}[value]
    fmt = {"jaccard": ".2f", "n_both": ",.0f", "pmi": ".2f"}[value]
    scale = {"colorscale": "RdBu_r", "zmid": 0.0} if value == "pmi" else {"colorscale": "Blues", "zmin": 0.0}
    fig = go.Figure(go.Heatmap(
        z=z, x=[_label(t) for t in topics], y=[_label(t) for t in topics], customdata=custom, text=text,
        texttemplate=f"%{{z:{fmt}}}", hoverongaps=False, colorbar={"title": {"text": label, "side": "right"}},
        hovertemplate=f"<b>%{{y}}</b> × <b>%{{x}}</b><br>{label}: %{{z:{fmt}}} %{{text}}"
                      "<br>%{customdata[0]:,} articles on both, of %{customdata[3]:,} on either"
                      "<br>%{customdata[1]:,} on %{y}, %{customdata[2]:,} on %{x}"
                      "<br>%{customdata[4]:,} articles in all<extra></extra>",
        **scale,
    ))
    fig.update_layout(template=TEMPLATE, title=title, height=max(380, 140 + 36 * k))
    fig.update_xaxes(title_text="Topic", type="category")
    fig.update_yaxes(title_text="Topic", type="category", autorange="reversed", automargin=True)
    return fig


_KEYNESS_MEASURES = ("log_ratio", "chi2", "g2")


@_plain_text_figure
def keyness_chart(
    table: pd.DataFrame,
    *,
    measure: Literal["log_ratio", "chi2", "g2"] = "log_ratio",
    n: int | None = 15,
    target: str = "target",
    reference: str = "reference",
    title: str | None = None,
) -> go.Figure:
    """Keyness as bars in both directions: terms of the target to the right, of the reference to the left.

    Parameters
    ----------
    table
        A keyness table (``term``, ``n_target``, ``n_reference``, ``direction`` —
        ``"target"`` or ``"reference"`` — and ``measure``; ``p`` is shown when present).
    measure
        The bar length: ``"log_ratio"`` (binary log of the ratio of relative frequencies) or a
        test statistic, ``"chi2"`` or ``"g2"``. The bar points the way of ``direction``
        whatever the sign of the column.
    n
        Terms kept per direction, the largest ``|measure|`` first (None: all rows passed).
    target, reference
        Names of the two sides for the legend and the axis (e.g. the outlets compared).
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Two horizontal bar traces (target, reference), the strongest terms at the ends. Hover
        shows the measure, ``n_target``, ``n_reference`` and ``p``. A table with no rows gives
        the title and a "No data to show" note.

    Examples
    --------
    >>> t = pd.DataFrame({"term": ["seoul", "tokyo", "rain"], "n_target": [9, 1, 4],
    ...     "n_reference": [1, 8, 4], "log_ratio": [3.1, -2.9, 0.0], "p": [0.01, 0.02, 1.0],
    ...     "direction": ["target", "reference", "target"]})
    >>> [list(tr.y) for tr in keyness_chart(t).data]
    [['rain', 'seoul'], ['tokyo']]
    """
    if measure not in _KEYNESS_MEASURES:
        raise ParameterError("measure", measure, one_of(_KEYNESS_MEASURES))
    if n is not None and (isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1):
        raise ParameterError("n", n, "a whole number >= 1 of terms per direction, or None for all")
    _require(table, ["term", "n_target", "n_reference", "direction", measure], "keyness_chart",
             "Pass a keyness table from toolkit.words (term, n_target, n_reference, direction, the measure).")
    if table.empty:
        return _empty_figure(title, "no terms in the keyness table")
    strength = np.abs(_finite(table[measure]))
    sides = {"target": (target, _PALETTE[0], 1.0), "reference": (reference, _PALETTE[1], -1.0)}
    extra = ["p"] if "p" in table.columns else []
    # target and reference go into the template itself, which escape_figure leaves alone.
    hover = ("<b>%{y}</b><br>" + measure + " = %{customdata[0]:.3g}"
             + f"<br>%{{customdata[1]:,}} in {escape_plotly_text(str(target))}, "
             + f"%{{customdata[2]:,}} in {escape_plotly_text(str(reference))}"
             + ("<br>p = %{customdata[3]:.2g}" if extra else "") + "<extra></extra>")
    fig = go.Figure()
    for side, (name, color, sign) in sides.items():
        part = table[(table["direction"] == side).to_numpy()].assign(_strength=strength[(table["direction"] == side).to_numpy()])
        part = part.sort_values("_strength", ascending=False, kind="stable")
        if n is not None:
            part = part.head(n)
        # Bottom-up drawing: the strongest reference term at the bottom, the strongest target on top.
        part = part.sort_values("_strength", ascending=sign > 0, kind="stable")
        fig.add_trace(go.Bar(
            x=sign * part["_strength"].to_numpy(), y=[str(t) for t in part["term"]], orientation="h",
            name=name, marker_color=color,
            customdata=part[[measure, "n_target", "n_reference", *extra]].to_numpy("float64", na_value=np.nan),
            hovertemplate=hover,
        ))
    # A category axis lists bottom-up: the reference terms (strongest first), then the target's.
    order = [*fig.data[1].y, *fig.data[0].y]
    fig.update_layout(template=TEMPLATE, title=title, barmode="relative", bargap=0.2,
                      height=max(350, 140 + 22 * len(order)), legend=_TOP_LEGEND)
    axis = {"log_ratio": "log ratio (binary log of the relative frequencies' ratio)", "chi2": "chi-square",
            "g2": "log-likelihood G²"}[measure]
    fig.update_xaxes(title_text=f"← {reference}  ·  {axis}  ·  {target} →", zeroline=True, zerolinewidth=2)
    fig.update_yaxes(title_text=None, type="category", categoryorder="array", categoryarray=order, automargin=True)
    return fig


@_plain_text_figure
def tone_chart(
    table: pd.DataFrame,
    *,
    by: str = "outlet",
    color: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Mean tone (VADER compound, -1 to 1) by group with its confidence interval.

    Parameters
    ----------
    table
        A tone table from :mod:`toolkit.tone` (the group columns, ``n_articles``,
        ``n_sentences``, ``mean``, ``ci_low``, ``ci_high``).
    by
        The group column on the category axis; ``"period"`` draws lines over time instead.
    color
        A second group column: one trace (colour) per value.
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        One trace per ``color`` value: points with interval whiskers (or lines with whiskers
        over ``period``). Hover shows the mean, the interval and the numbers of sentences and
        articles behind it. A table with no rows, or no defined mean, gives the title and a "No
        data to show" note.

    Examples
    --------
    >>> t = pd.DataFrame({"outlet": ["X", "Y"], "n_articles": [3, 2], "n_sentences": [40, 25],
    ...     "mean": [0.12, -0.05], "ci_low": [0.02, -0.2], "ci_high": [0.22, 0.1]})
    >>> tone_chart(t).data[0].x.tolist()
    [0.12, -0.05]
    """
    _require(table, list(dict.fromkeys([by, color, "n_articles", "n_sentences", "mean", "ci_low", "ci_high"])),
             "tone_chart", "Make it with the tone functions of toolkit.tone.")
    if color is not None and color == by:
        raise ParameterError("color", color, f"a grouping column other than by={by!r}")
    if table.empty or _nothing_defined(table["mean"]):
        return _empty_figure(title, "no sentences scored in the selection")
    over_time = by == "period"
    data = table.sort_values("period", kind="stable") if over_time else table
    series = _levels(data, color)
    colors = _colors(series)
    hover = ("<b>%{fullData.name}</b><br>" + ("%{x|%Y-%m-%d}" if over_time else "%{y}")
             + "<br>mean compound " + ("%{y:.3f}" if over_time else "%{x:.3f}")
             + "<br>95% CI %{customdata[0]:.3f} – %{customdata[1]:.3f}"
             + "<br>%{customdata[2]:,} sentences in %{customdata[3]:,} articles<extra></extra>")
    fig = go.Figure()
    for value in series:
        part = _select(data, color, value)
        mean = _finite(part["mean"])
        low = _finite(part["ci_low"])
        high = _finite(part["ci_high"])
        error = {"type": "data", "symmetric": False, "array": high - mean, "arrayminus": mean - low,
                 "thickness": 1.5, "width": 4, "color": colors[value]}
        custom = np.column_stack([low, high, _finite(part["n_sentences"]), _finite(part["n_articles"])])
        name = "all" if color is None else _label(value)
        if over_time:
            fig.add_trace(go.Scatter(x=_naive_utc(part["period"]), y=mean, mode="lines+markers", name=name,
                                     line={"color": colors[value]}, error_y=error, customdata=custom,
                                     hovertemplate=hover, connectgaps=False))
        else:
            fig.add_trace(go.Scatter(x=mean, y=_labels(part[by]), mode="markers", name=name, orientation="h",
                                     marker={"color": colors[value], "size": 10}, error_x=error,
                                     customdata=custom, hovertemplate=hover))
    axis = "Mean tone (VADER compound, −1 to 1)"
    fig.update_layout(template=TEMPLATE, title=title, showlegend=color is not None, legend_title_text=color,
                      height=None if over_time else max(320, 140 + 30 * len(_levels(data, by)) * max(1, len(series) // 2)))
    if not over_time:
        # Side by side within each group instead of on top of each other.
        fig.update_layout(scattermode="group", scattergap=0.5)
    if over_time:
        fig.update_xaxes(title_text=_PERIOD_AXIS, **_period_ticks(data["period"]))
        fig.update_yaxes(title_text=axis, range=[-1, 1], zeroline=True)
    else:
        fig.update_xaxes(title_text=axis, range=[-1, 1], zeroline=True, zerolinewidth=2)
        fig.update_yaxes(title_text=by, type="category", autorange="reversed", automargin=True)
    return fig
