"""Partial boilerplate counts (one per worker) merge to exactly the counts of one fit."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe.boilerplate import BoilerplateModel
from dedupe.boilerplate.counts import BatchCounts
from dedupe.boilerplate.model import count_batch
from dedupe.errors import ConfigError

SHORT = ["Home", "About us", "Contact", "Log in", "Share this page", "Next page"]
LONG = [
    "Copyright 2024 Example Media Group, all rights reserved worldwide.",
    "Subscribe to our newsletter for the latest stories every morning.",
    "This is an article body sentence that only rarely repeats anywhere.",
    "Another line of body text, told once or twice in the whole corpus.",
]
OPTIONS: list[dict[str, Any]] = [{}, {"stoplist_min_groups": 1, "min_docs": 2}]


def _state(model: BoilerplateModel) -> dict[str, Any]:
    arrays = model._arrays()
    return {"n_docs": model.n_docs, **{k: v.tolist() for k, v in arrays.items()}}


def _merged(texts: list[str], groups: list[str], part_of: list[int], options: dict[str, Any]) -> BoilerplateModel:
    parts = []
    for k in sorted(set(part_of)):
        rows = [i for i, p in enumerate(part_of) if p == k]
        parts.append(count_batch([texts[i] for i in rows], groups=[groups[i] for i in rows], **options))
    return BoilerplateModel(**options).add_counts(BatchCounts.merge(parts))


pages = st.lists(
    st.tuples(
        st.lists(st.sampled_from(SHORT + LONG) | st.text("abc ", min_size=1, max_size=12), min_size=1, max_size=8),
        st.sampled_from(["a.com", "b.org", "c.net", "d.io", "e.co"]),
    ),
    min_size=1,
    max_size=25,
)


@pytest.mark.parametrize("options", OPTIONS)
@given(data=st.data())
def test_merge_of_any_split_equals_one_fit(options: dict[str, Any], data: st.DataObject) -> None:
    drawn = data.draw(pages)
    texts = ["\n".join(lines) for lines, _ in drawn]
    groups = [g for _, g in drawn]
    part_of = data.draw(st.lists(st.integers(0, 3), min_size=len(texts), max_size=len(texts)))
    whole = BoilerplateModel.fit(texts, groups=groups, **options)
    merged = _merged(texts, groups, part_of, options)
    assert _state(merged) == _state(whole)
    assert merged.find(texts, groups=groups) == whole.find(texts, groups=groups)


@given(data=st.data())
def test_counts_added_in_order_equal_updates_in_order_and_one_fit(data: st.DataObject) -> None:
    drawn = data.draw(pages)
    texts = ["\n".join(lines) for lines, _ in drawn]
    groups = [g for _, g in drawn]
    cuts = sorted(data.draw(st.lists(st.integers(0, len(texts)), max_size=4)))
    bounds = [0, *cuts, len(texts)]
    for options in ({}, {"max_distinct_blocks": 8}):  # the second one prunes
        updated, added = BoilerplateModel(**options), BoilerplateModel(**options)
        for lo, hi in pairwise(bounds):
            updated.update(texts[lo:hi], groups=groups[lo:hi])
            added.add_counts(count_batch(texts[lo:hi], groups=groups[lo:hi], **options))
        assert _state(added) == _state(updated)
    unpruned = BoilerplateModel()
    for lo, hi in pairwise(bounds):
        unpruned.add_counts(count_batch(texts[lo:hi], groups=groups[lo:hi]))
    assert _state(unpruned) == _state(BoilerplateModel.fit(texts, groups=groups))  # in one batch


def test_a_short_line_of_one_group_in_two_parts_counts_that_group_once() -> None:
    texts = ["Home\nStory one here.", "Home\nStory two here.", "Home\nStory three."]
    groups = ["a.com", "a.com", "b.org"]
    merged = _merged(texts, groups, [0, 1, 1], {})
    stop = merged._counts.stop
    stop.consolidate()
    # "Home" is held by two groups (a naive sum of the parts says 3); each story line by one.
    assert sorted(stop.counts.tolist()) == [1, 1, 1, 2]
    site = merged._counts.site
    site.consolidate()
    assert sorted(site.counts.tolist()) == [1, 1, 1, 1, 2]  # "Home" on a.com in two documents
    assert merged.n_docs == 3


def test_near_path_is_refused() -> None:
    with pytest.raises(ConfigError, match="exact path only"):
        count_batch(["a\nb"], near_threshold=0.7)


def test_merge_of_nothing_is_empty() -> None:
    empty = BatchCounts.merge([])
    assert empty.n_docs == 0 and len(empty.site_keys) == 0 and empty.site_keys.dtype == np.uint64


TRIMMED = ["Learn to use AI like a Pro. Learn More", "Get the latest AI workflows today. Sign up now", "Read more."]


@given(data=st.data())
def test_counting_without_trimmed_keys_counts_what_the_full_units_count(data: st.DataObject) -> None:
    # count_batch and update segment without trimmed keys (only the rules look them up): what they
    # count must equal the counts of the full units, trimmed keys and all (units.prepare, the reference).
    from dedupe.boilerplate.model import _batch_counts
    from dedupe.boilerplate.units import prepare
    from dedupe.config import BoilerplateConfig

    drawn = data.draw(pages)
    lines = [list(ls) + data.draw(st.lists(st.sampled_from(TRIMMED), max_size=3)) for ls, _ in drawn]
    texts = ["\n".join(ls) for ls in lines]
    groups = [g for _, g in drawn]
    for options in OPTIONS:
        cfg = BoilerplateConfig(**options)
        full = prepare(texts, groups, None, cfg)
        got, want = count_batch(texts, groups=groups, config=cfg), _batch_counts(cfg, full)
        for name in ("site_keys", "site_counts", "group_keys", "group_counts", "short_site", "short_line"):
            assert getattr(got, name).tolist() == getattr(want, name).tolist(), name
        assert got.n_docs == want.n_docs
        assert _state(BoilerplateModel(cfg).update(texts, groups=groups)) == _state(
            BoilerplateModel(cfg).add_counts(want)
        )


def test_the_trimmed_lines_have_trimmed_keys() -> None:
    # Without this the test above could pass on units that never had a trimmed key to leave out.
    from dedupe.boilerplate.units import prepare
    from dedupe.config import BoilerplateConfig

    assert len(prepare(["\n".join(TRIMMED)], None, None, BoilerplateConfig()).table.trim_rows) >= 2
