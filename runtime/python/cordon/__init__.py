# SPDX-License-Identifier: Apache-2.0
"""Cordon for Python: decide export-control requests with a Cordon policy.

    import cordon
    engine = cordon.Engine(policy=["stdlib/ear"], engine="jit")
    engine.decide({"as_of": "2023-03-10", "kind": "export", ...})["decision"]

Engine, Error and the deciding are libcordon's C API (the _cordon extension); screen() is the
small pandas helper kept here in Python.
"""
import datetime
import math

from cordon._cordon import Engine, Error, __version__

__all__ = ["Engine", "Error", "screen", "__version__"]

# The columns screen() adds.
_ADDED = ("decision", "reasons", "errors")


def screen(df, engine, column_map=None, threads=1):
    """Decides each row of the pandas DataFrame `df` with `engine` (through decide_many).

    Each column is a request field; a dotted name such as `end_user.name` is a field of a
    record. column_map={column: field} renames columns, and maps a column to None to leave it
    out. A missing cell (None, NaN, NaT) leaves its field out of the request, and a record whose
    every field is missing is left out too (so an optional record is absent, not empty).

    Returns a copy of `df` with three columns added: "decision"; "reasons", each rule that
    fired as "rule (cites)" joined by "; "; and "errors", why a decision is "error" ("; "
    joined, "" for the others). `df` must not have these columns already.
    """
    column_map = dict(column_map or {})
    unknown = [c for c in column_map if c not in df.columns]
    if unknown:
        raise KeyError(f"column_map names columns the DataFrame does not have: {unknown}")
    clash = [c for c in _ADDED if c in df.columns]
    if clash:
        raise ValueError(f"the DataFrame already has the columns {clash} that screen() adds")

    fields = []  # (path as a tuple of keys, the column's values as Python objects)
    for column in df.columns:
        field = column_map.get(column, column)
        if field is None:
            continue
        if not isinstance(field, str):
            raise TypeError(f"column {column!r}: a request field is named by a str, not {field!r}")
        # tolist() gives Python ints, floats and bools, not numpy scalars JSON cannot hold.
        fields.append((tuple(field.split(".")), df[column].tolist(), column))

    requests = []
    for row in range(len(df)):
        request = {}
        for path, values, column in fields:
            value = _cell(values[row], column)
            if value is _MISSING:
                continue
            record = request
            for key in path[:-1]:
                record = record.setdefault(key, {})
                if not isinstance(record, dict):
                    raise ValueError(f"column {column!r}: `{key}` is also a column of its own")
            record[path[-1]] = value
        requests.append(request)

    decisions = engine.decide_many(requests, threads=threads)
    out = df.copy()
    out["decision"] = [d["decision"] for d in decisions]
    out["reasons"] = ["; ".join(_reason(r) for r in d["reasons"]) for d in decisions]
    out["errors"] = ["; ".join(d["errors"]) for d in decisions]
    return out


_MISSING = object()


def _cell(value, column):
    """A cell as a request value: dates as ISO 8601 days, missing values as _MISSING."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _MISSING
    if isinstance(value, datetime.datetime):  # pandas.Timestamp too
        if value != value:  # NaT
            return _MISSING
        if value.time() != datetime.time(0):
            raise ValueError(f"column {column!r}: {value} has a time of day; Cordon dates are days")
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas.NA, pandas.NaT
        return _MISSING
    return value


def _reason(reason):
    return f"{reason['rule']} ({reason['cites']})" if reason["cites"] else reason["rule"]
