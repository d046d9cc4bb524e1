"""Which fiscal year a page opens on when the user has not chosen one."""

from __future__ import annotations

from collections.abc import Iterable


def pick_fy(fys: Iterable[int], with_data: Iterable[int], chosen: int | None = None) -> int | None:
    """The year to show among `fys` (e.g. a plan's rounds).

    The user's choice when it is one of them; else the latest year with data (a sheet submitted
    or approved, an approved actual); else the latest year; None when there is no year at all.
    """
    years = sorted(set(fys))
    if not years:
        return None
    if chosen in years:
        return chosen
    filled = [fy for fy in years if fy in set(with_data)]
    return filled[-1] if filled else years[-1]
