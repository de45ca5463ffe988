"""PNG figures for ``dedupe clean --plots DIR`` and ``dedupe bench --out DIR`` (matplotlib, the ``plot`` extra).

Every function writes one file and returns its path; :func:`require_matplotlib` raises a
:class:`~dedupe.errors.MissingDependencyError` with the install command when matplotlib is missing.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .banding import candidate_probability
from .errors import MissingDependencyError

__all__ = [
    "INSTALL_PLOT",
    "plot_cluster_sizes",
    "plot_s_curve",
    "plot_scaling",
    "plot_similarities",
    "plots_available",
    "require_matplotlib",
]

INSTALL_PLOT = "pip install 'dedupe-text[plot]'  (or: pip install 'matplotlib>=3.8')"


def plots_available() -> bool:
    """True when matplotlib can be imported."""
    return importlib.util.find_spec("matplotlib") is not None


def require_matplotlib() -> Any:
    """Return ``matplotlib.pyplot`` on the Agg backend, or raise with the install command."""
    if not plots_available():
        raise MissingDependencyError(f"the plots need matplotlib, which is not installed: {INSTALL_PLOT}")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    require_matplotlib().close(fig)
    return path


def plot_s_curve(path: Path, *, threshold: float, num_bands: int, rows_per_band: int) -> Path:
    """Candidate probability against Jaccard similarity for the band plan, with the threshold marked."""
    plt = require_matplotlib()
    s = np.linspace(0.0, 1.0, 401)
    p = candidate_probability(s, num_bands, rows_per_band)
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    ax.plot(s, p, label=f"{num_bands} bands x {rows_per_band} rows")
    ax.axvline(threshold, color="tab:red", linestyle="--", label=f"threshold {threshold:g}")
    at = candidate_probability(threshold, num_bands, rows_per_band)
    ax.plot([threshold], [at], "o", color="tab:red")
    ax.annotate(f"P = {at:.3f}", (threshold, at), textcoords="offset points", xytext=(-70, -4))
    ax.set_xlabel("Jaccard similarity of the pair")
    ax.set_ylabel("probability of becoming a candidate")
    ax.set_title("LSH band plan (S-curve)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    return _save(fig, path)


def plot_similarities(
    path: Path, *, jaccard: NDArray[np.float64], found: NDArray[np.bool_], threshold: float, low: float
) -> Path:
    """Histogram of the exact Jaccard similarity of pairs at or above ``low``, split by found / missed."""
    plt = require_matplotlib()
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    bins = np.linspace(low, 1.0, 41)
    ax.hist(
        [jaccard[found], jaccard[~found]],
        bins=bins,
        stacked=True,
        label=["in one dedupe cluster", "not in one cluster"],
        color=["tab:blue", "tab:orange"],
    )
    ax.axvline(threshold, color="tab:red", linestyle="--", label=f"threshold {threshold:g}")
    ax.set_xlabel("exact Jaccard similarity of word shingles")
    ax.set_ylabel("document pairs")
    ax.set_yscale("log")
    ax.set_title(f"Pair similarities (all pairs with Jaccard >= {low:g})")
    ax.legend()
    return _save(fig, path)


def plot_duplicate_similarities(path: Path, similarity: NDArray[np.float64], *, threshold: float) -> Path:
    """Histogram of the similarity of each removed near duplicate to the record kept for its cluster."""
    plt = require_matplotlib()
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    ax.hist(similarity, bins=np.linspace(min(threshold, float(similarity.min(initial=1.0))) - 0.05, 1.0, 41))
    ax.axvline(threshold, color="tab:red", linestyle="--", label=f"threshold {threshold:g}")
    ax.set_xlabel("estimated Jaccard similarity to the kept record")
    ax.set_ylabel("near duplicates")
    ax.set_title("Near-duplicate similarities")
    ax.legend()
    return _save(fig, path)


def plot_cluster_sizes(path: Path, sizes: Mapping[str, NDArray[np.int64]], *, max_bars: int = 20) -> Path:
    """Number of clusters of each size (2 and more documents), grouped bars per side.

    Sizes past the ``max_bars``-th distinct size are counted together in a last bar "N+".
    """
    plt = require_matplotlib()
    fig, ax = plt.subplots(figsize=(7.2, 4.2))
    multi = {name: v[v > 1] for name, v in sizes.items()}
    distinct = np.unique(np.concatenate([*multi.values(), np.empty(0, dtype=np.int64)])).astype(np.int64)
    shown = distinct[:max_bars]
    labels = [str(int(x)) for x in shown]
    if len(distinct) > max_bars:
        labels[-1] = f"{int(shown[-1])}+"
    width = 0.8 / max(1, len(multi))
    for k, (name, values) in enumerate(multi.items()):
        counts = np.array([(values == x).sum() for x in shown], dtype=np.int64)
        if len(distinct) > max_bars:
            counts[-1] = int((values >= shown[-1]).sum())
        ax.bar(np.arange(len(shown)) + k * width - 0.4 + width / 2, counts, width=width, label=name)
    ax.set_xticks(np.arange(len(shown)), labels)
    ax.set_yscale("log")
    ax.set_xlabel("cluster size (documents)")
    ax.set_ylabel("clusters")
    ax.set_title("Cluster-size distribution")
    ax.grid(alpha=0.3, axis="y")
    ax.legend()
    return _save(fig, path)


def plot_scaling(
    path: Path,
    *,
    docs: Sequence[int],
    seconds: Sequence[float],
    rss_mb: Sequence[float],
    time_exponent: float | None,
    rss_exponent: float | None,
) -> Path:
    """Wall time and peak RSS against corpus size (log-log), with the fitted growth exponents."""
    plt = require_matplotlib()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
    for ax, values, label, exp in (
        (left, seconds, "wall time (s)", time_exponent),
        (right, rss_mb, "peak RSS (MB)", rss_exponent),
    ):
        ax.loglog(docs, values, marker="o")
        ax.set_xlabel("documents")
        ax.set_ylabel(label)
        title = label if exp is None else f"{label}: grows as n^{exp:.2f}"
        ax.set_title(title)
        ax.grid(alpha=0.3, which="both")
    fig.suptitle("dedupe deduplicate() + write, one process")
    return _save(fig, path)
