"""A scenario given as a dict, written as the TOML text offersim reads.

Top-level tables become ``[name]`` sections and lists of tables ``[[name]]`` sections (as
scenario files are usually written, so that an error's line is the line of its key); anything
deeper is written inline.
"""

import json
import math
import os
import re

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k, path):
    if not isinstance(k, str):
        raise TypeError(f"scenario key {path}{k!r}: keys must be strings")
    return k if _BARE.match(k) else json.dumps(k, ensure_ascii=False)


def _value(v, path):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, (str, os.PathLike)):
        return json.dumps(os.fspath(v), ensure_ascii=False)
    if isinstance(v, dict):
        items = ", ".join(f"{_key(k, path)} = {_value(x, f'{path}{k}.')}" for k, x in v.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x, path) for x in v) + "]"
    if v is None:
        raise TypeError(f"scenario key {path.rstrip('.')}: None has no TOML form; leave the key out")
    raise TypeError(f"scenario key {path.rstrip('.')}: cannot write a {type(v).__name__} as TOML")


def _is_tables(v):
    return isinstance(v, (list, tuple)) and len(v) > 0 and all(isinstance(x, dict) for x in v)


def _entries(d, path):
    return [f"{_key(k, path)} = {_value(v, f'{path}{k}.')}" for k, v in d.items()]


def dumps(scenario):
    """The TOML text of a scenario dict."""
    if not isinstance(scenario, dict):
        raise TypeError(f"a scenario is a path or a dict, not {type(scenario).__name__}")
    plain = {k: v for k, v in scenario.items() if not isinstance(v, dict) and not _is_tables(v)}
    lines = _entries(plain, "")
    for k, v in scenario.items():
        if isinstance(v, dict):
            lines += ["", f"[{_key(k, '')}]"] + _entries(v, f"{k}.")
        elif _is_tables(v):
            for t in v:
                lines += ["", f"[[{_key(k, '')}]]"] + _entries(t, f"{k}.")
    return "\n".join(lines) + "\n"
