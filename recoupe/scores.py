"""What every ``recoupe eval`` command shares: P/R/F1 from counts, ML-Crisis records as
input, the fixed tuning/validation split."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any


def prf(tp: int, pred: int, gold: int) -> dict[str, float]:
    """Precision, recall and F1 of ``tp`` right out of ``pred`` found and ``gold`` expected."""
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def half(doc_id: str) -> str:
    """The fixed half a dev document belongs to, "tuning" or "validation": by the parity
    of its id's SHA-256, so the split never moves and needs no list."""
    return "tuning" if int(hashlib.sha256(doc_id.encode()).hexdigest(), 16) % 2 == 0 \
        else "validation"


def ml_crisis_record(doc: Mapping[str, Any]) -> dict[str, Any]:
    """An ML-Crisis document (doc_id, text, pub_date, lang) as a recoupe input record."""
    record = {"id": str(doc["doc_id"]), "text": doc["text"]}
    if doc.get("pub_date"):
        record["published"] = doc["pub_date"]
    if doc.get("lang"):
        record["language"] = doc["lang"]
    return record
