"""Plotly figures for the toolkit's tables: a DataFrame and column names in, a ``go.Figure`` out.

Figures are returned, never shown; they display themselves in JupyterLab and carry their data
(no external resources), so they survive export to offline HTML. All use one template
(:data:`TEMPLATE`), one colour per series across facets, and hover texts that show the
denominators behind each figure.

A table with no rows (an empty selection, or no dated articles) gives a figure too: the title
and a centred :data:`NO_DATA` note, no traces. A report that selects nothing still runs to the
end and says so, instead of failing on its first chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import hex_to_rgb, qualitative
from plotly.subplots import make_subplots

from toolkit.errors import ParameterError, SchemaError, one_of

__all__ = ["NO_DATA", "TEMPLATE", "attention_chart", "terms_chart", "volume_chart"]

#: The plotly template every figure uses.
TEMPLATE = "plotly_white"
#: The note a figure shows when its table has nothing to draw.
NO_DATA = "No data to show"
_PALETTE: tuple[str, ...] = tuple(qualitative.Plotly)
_PERIOD_AXIS = "Period start (UTC)"
_FACET_HEIGHT = 260


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
        x=0.5, y=0.5, showarrow=False, font={"size": 16, "color": "#555"}, name="no-data",
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
            showlegend=False, hovertemplate=f"%{{y}}<br>{value} = %{{x:,}}<extra></extra>",
        ), **position)
    fig.update_layout(template=TEMPLATE, title=title, height=height)
    fig.update_xaxes(title_text=value)
    fig.update_yaxes(title_text=None, automargin=True)
    return fig
