"""Calendar periods: flooring publication times to the start of a day, week, month, ...

Periods are labelled by their first instant in UTC (``datetime64[us, UTC]``); weeks start on
Monday (ISO 8601). One module owns this so that every table's ``period`` column agrees.
"""

from __future__ import annotations

from typing import Literal, get_args

import pandas as pd

from toolkit.errors import ParameterError, one_of
from toolkit.schema import PUBLISHED_DTYPE

Freq = Literal["D", "W", "M", "Q", "Y"]
FREQS: tuple[str, ...] = get_args(Freq)

# pandas Period aliases for our frequencies (weeks anchored so that they start on Monday).
_PANDAS_PERIOD = {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q", "Y": "Y"}


def check_freq(freq: str, *, name: str = "freq") -> str:
    if freq not in FREQS:
        raise ParameterError(name, freq, one_of(FREQS),
                             hint="D = day, W = ISO week (Monday start), M = month, Q = quarter, Y = year.")
    return freq


def period_start(published: pd.Series, freq: Freq) -> pd.Series:
    """Floor tz-aware ``published`` times to the start of their period, in UTC.

    Missing times stay missing (``NaT``).

    Examples
    --------
    >>> s = pd.Series(pd.to_datetime(["2021-11-04T09:53Z", "2021-11-07T23:00Z"]))
    >>> period_start(s, "W").dt.strftime("%Y-%m-%d").tolist()
    ['2021-11-01', '2021-11-01']
    """
    check_freq(freq)
    utc = published.dt.tz_convert("UTC").dt.tz_localize(None)
    start = utc.dt.to_period(_PANDAS_PERIOD[freq]).dt.start_time
    return start.dt.tz_localize("UTC").astype(PUBLISHED_DTYPE)


def period_range(start: pd.Timestamp, end: pd.Timestamp, freq: Freq) -> pd.DatetimeIndex:
    """Every period start from the period containing ``start`` to the one containing ``end``.

    Used to make timelines calendar-complete (periods with no articles appear with zeros).

    Examples
    --------
    >>> period_range(pd.Timestamp("2021-01-30", tz="UTC"), pd.Timestamp("2021-03-02", tz="UTC"), "M").strftime("%m").tolist()
    ['01', '02', '03']
    """
    check_freq(freq)
    first, last = (period_start(pd.Series([t]).astype(PUBLISHED_DTYPE), freq).iloc[0] for t in (start, end))
    if pd.isna(first) or pd.isna(last) or last < first:
        return pd.DatetimeIndex([], dtype=PUBLISHED_DTYPE, name="period")
    periods = pd.period_range(first.tz_localize(None), last.tz_localize(None), freq=_PANDAS_PERIOD[freq])
    return pd.DatetimeIndex(periods.start_time, name="period").tz_localize("UTC").astype(PUBLISHED_DTYPE)
