"""Evidence for a pair in words a reviewer understands, with what each field contributed."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

import numpy as np

from tracecheck.matching.keys import Keys

SERIAL_TEXT = {
    "exact": "same after removing case, spaces, dashes and labels",
    "transposed": "two adjacent characters swapped",
    "indel": "one character dropped or added",
    "affix": "one contains the other (missing prefix or suffix)",
    "letter_changed": "one letter differs (often the next gun of a series)",
    "digit_changed": "one digit differs: consecutive serials are different guns",
    "different": "different serials",
}


class Explainer:
    """Builds evidence lists for pairs; ``raw`` holds the cells as written (serial, maker, ...)."""

    def __init__(self, keys: Keys, raw: dict[str, np.ndarray], config: dict) -> None:
        self.keys, self.raw = keys, raw
        self.weights = config["weights"]
        self.confusables = {str(k): str(v) for k, v in config["confusables"].items()}

    def evidence(self, pair: Any) -> list[dict[str, Any]]:
        i, j = int(pair.i), int(pair.j)
        items = [self._serial(i, j, pair.serial), self._maker(i, j, pair.maker),
                 self._simple("model", i, j, pair.model), self._simple("caliber", i, j, pair.caliber),
                 self._recovery(i, j, pair.recovery, pair.days_apart)]
        return [item for item in items if item]

    @staticmethod
    def sentence(evidence: list[dict[str, Any]]) -> str:
        return "; ".join(item["text"] for item in evidence)

    def _item(self, field: str, level: str, text: str) -> dict[str, Any]:
        return {"field": field, "level": level, "weight": float(self.weights.get(f"{field}_{level}", 0)),
                "text": text}

    def _serial(self, i: int, j: int, level: str) -> dict[str, Any] | None:
        a, b = self.raw["serial"][i], self.raw["serial"][j]
        if level == "none":
            missing = a if not self.keys.usable[i] else b
            return self._item("serial", "none", f"no usable serial ({_show(missing)})")
        if level == "exact" and a == b:
            return self._item("serial", level, f"same serial {a}")
        if level == "folded":
            return self._item("serial", level, f"serial {a} vs {b}: same after folding {self._folds(i, j)}")
        return self._item("serial", level, f"serial {a} vs {b}: {SERIAL_TEXT[level]}")

    def _folds(self, i: int, j: int) -> str:
        x, y = self.keys.serial[i], self.keys.serial[j]
        changes = sorted({f"{p}→{q}" if q.isdigit() else f"{q}→{p}" for p, q in zip(x, y) if p != q})
        return ", ".join(changes) or "confusable characters"

    def _maker(self, i: int, j: int, level: str) -> dict[str, Any] | None:
        a, b = self.raw["maker"][i], self.raw["maker"][j]
        family = self.keys.labels["maker"][self.keys.maker[i]] if self.keys.maker[i] >= 0 else None
        if level == "same":
            text = f"same maker {a}" if _same_text(a, b) else f"maker {a} = {b} ({family})"
        elif level == "importer":
            text = f"maker {a} / {b}: one row names the importer as maker"
        elif level == "different":
            text = f"makers differ ({_show(a)} / {_show(b)})"
        else:
            text = "maker missing on one row"
        return self._item("maker", level, text)

    def _simple(self, field: str, i: int, j: int, level: str) -> dict[str, Any] | None:
        a, b = self.raw[field][i], self.raw[field][j]
        if level == "unknown":
            return None
        text = {"same": f"same {field} {a}" if _same_text(a, b) else f"{field} {a} = {b}",
                "similar": f"{field} {a} / {b} read alike",
                "different": f"{field}s differ ({a} / {b})"}[level]
        return self._item(field, level, text)

    def _recovery(self, i: int, j: int, level: str, days: float) -> dict[str, Any]:
        a, b = _day(self.keys.recovery[i]), _day(self.keys.recovery[j])
        if level == "same_day":
            text = f"same recovery date {a}"
        elif level == "within_window":
            text = f"recovery dates {a} and {b}, {int(days)} days apart"
        elif level == "apart":
            text = f"recovered on different occasions ({a} and {b}, {int(days)} days apart)"
        else:
            text = "a recovery date is missing"
        return self._item("recovery", level, text)


def _same_text(a: Any, b: Any) -> bool:
    return str(a).strip().upper() == str(b).strip().upper()


def _show(value: Any) -> str:
    return "blank" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


@lru_cache(maxsize=65536)
def _day(value: float) -> str:
    return "unknown" if np.isnan(value) else (dt.date(1970, 1, 1) + dt.timedelta(days=int(value))).isoformat()
