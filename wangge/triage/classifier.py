"""The category classifier: multinomial naive Bayes over binary text features.

Pure numpy, no Django.  A trained classifier is its counts (per-category
document counts and sparse feature counts), so training is deterministic: the
same documents in any order give the same bytes.  It is stored as an ``.npz``
archive of plain arrays (never pickled objects; loaded with
``allow_pickle=False``).  The keyword baseline it is measured against lives
here too.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wangge.triage.text import features, words

#: Additive (Lidstone) smoothing of the feature counts.
ALPHA = 0.3


@dataclass(frozen=True)
class Scored:
    code: str
    probability: float


class Classifier:
    """Naive Bayes: P(category | text) ∝ P(category) · Π P(feature | category)."""

    def __init__(
        self,
        labels: Sequence[str],
        vocabulary: Sequence[str],
        doc_counts: npt.NDArray[np.int64],
        rows: npt.NDArray[np.int64],
        cols: npt.NDArray[np.int64],
        counts: npt.NDArray[np.int64],
        alpha: float = ALPHA,
    ) -> None:
        self.labels = list(labels)
        self.vocabulary = list(vocabulary)
        self.index = {f: i for i, f in enumerate(self.vocabulary)}
        self.doc_counts = doc_counts
        self.rows, self.cols, self.counts = rows, cols, counts
        self.alpha = alpha
        dense = np.zeros((len(self.labels), len(self.vocabulary)), dtype=np.float64)
        np.add.at(dense, (rows, cols), counts)
        smoothed = dense + alpha
        self.log_prob = np.log(smoothed) - np.log(smoothed.sum(axis=1, keepdims=True))
        prior = doc_counts.astype(np.float64) + 1.0
        self.log_prior = np.log(prior) - np.log(prior.sum())

    # --- training and storage ----------------------------------------------------
    @classmethod
    def train(cls, documents: Iterable[tuple[str, str]], alpha: float = ALPHA) -> Classifier:
        """Train on ``(code, text)`` pairs; the order of the pairs does not matter."""
        per_label: dict[str, Counter[str]] = defaultdict(Counter)
        docs: Counter[str] = Counter()
        for code, text in documents:
            docs[code] += 1
            per_label[code].update(features(text))
        labels = sorted(docs)
        vocabulary = sorted({f for c in per_label.values() for f in c})
        index = {f: i for i, f in enumerate(vocabulary)}
        rows: list[int] = []
        cols: list[int] = []
        counts: list[int] = []
        for li, code in enumerate(labels):
            for f, n in sorted(per_label[code].items()):
                rows.append(li)
                cols.append(index[f])
                counts.append(n)
        return cls(
            labels,
            vocabulary,
            np.array([docs[c] for c in labels], dtype=np.int64),
            np.array(rows, dtype=np.int64),
            np.array(cols, dtype=np.int64),
            np.array(counts, dtype=np.int64),
            alpha,
        )

    def to_bytes(self) -> bytes:
        """An ``.npz`` archive (a zip of ``.npy`` arrays) with fixed timestamps: reproducible."""
        arrays = {
            "labels": np.array(self.labels, dtype=np.str_),
            "vocabulary": np.array(self.vocabulary, dtype=np.str_),
            "doc_counts": self.doc_counts,
            "rows": self.rows,
            "cols": self.cols,
            "counts": self.counts,
            "alpha": np.array([self.alpha]),
        }
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, array in arrays.items():
                member = io.BytesIO()
                np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, member.getvalue())
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Classifier:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            return cls(
                [str(x) for x in z["labels"]],
                [str(x) for x in z["vocabulary"]],
                z["doc_counts"].astype(np.int64),
                z["rows"].astype(np.int64),
                z["cols"].astype(np.int64),
                z["counts"].astype(np.int64),
                float(z["alpha"][0]),
            )

    # --- prediction --------------------------------------------------------------
    def known(self, text: str) -> list[int]:
        return [i for f in features(text) if (i := self.index.get(f)) is not None]

    def scores(self, text: str) -> list[Scored]:
        """Every category with its probability, most likely first ([] if no feature is known)."""
        idx = self.known(text)
        if not idx or not self.labels:
            return []
        logits = self.log_prior + self.log_prob[:, idx].sum(axis=1)
        logits -= logits.max()
        p = np.exp(logits)
        p /= p.sum()
        # Stable order: probability descending, then label (catalogue code) ascending.
        order = sorted(range(len(self.labels)), key=lambda i: (-p[i], self.labels[i]))
        return [Scored(self.labels[i], float(p[i])) for i in order]

    def top(self, text: str, n: int = 3) -> list[Scored]:
        return self.scores(text)[:n]


class KeywordBaseline:
    """The obvious rule: the category whose keywords the text mentions most.

    Keywords of a category are the words of its name plus the top terms of its
    training examples (words frequent in it and rare elsewhere).  Ties go to
    the earlier category in the catalogue (lower code).
    """

    TOP_TERMS = 6

    def __init__(self, keywords: dict[str, list[str]]) -> None:
        self.keywords = keywords
        self.order = sorted(keywords)

    @classmethod
    def train(cls, names: dict[str, str], documents: Iterable[tuple[str, str]]) -> KeywordBaseline:
        """``names`` maps code → sub-category name; ``documents`` are ``(code, text)`` pairs."""
        df: dict[str, Counter[str]] = defaultdict(Counter)
        for code, text in documents:
            df[code].update({w for w in words(text) if len(w) >= 2})
        total: Counter[str] = Counter()
        for c in df.values():
            total.update(c)
        keywords: dict[str, list[str]] = {}
        for code, name in names.items():
            found: dict[str, None] = {}
            for part in name.replace("/", " ").split():
                found[part] = None
                for w in words(part):
                    if len(w) >= 2:
                        found[w] = None
            ranked = sorted(
                (w for w, n in df[code].items() if n >= 2 and n / total[w] >= 0.6),
                key=lambda w: (-df[code][w], w),
            )
            for w in ranked[: cls.TOP_TERMS]:
                found[w] = None
            keywords[code] = list(found)
        return cls(keywords)

    def top(self, text: str, n: int = 3) -> list[Scored]:
        hits = [(sum(1 for k in self.keywords[c] if k in text), c) for c in self.order]
        ranked = sorted((h for h in hits if h[0] > 0), key=lambda h: (-h[0], h[1]))
        total = sum(h for h, _ in ranked) or 1
        return [Scored(c, h / total) for h, c in ranked[:n]]


@dataclass(frozen=True)
class Accuracy:
    total: int
    top1: int
    top3: int

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total if self.total else 0.0


def evaluate(model: Classifier | KeywordBaseline, documents: Sequence[tuple[str, str]]) -> Accuracy:
    top1 = top3 = 0
    for code, text in documents:
        got = [s.code for s in model.top(text, 3)]
        top1 += bool(got) and got[0] == code
        top3 += code in got
    return Accuracy(len(documents), top1, top3)
