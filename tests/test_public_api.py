from __future__ import annotations

import importlib

import dedupe


def test_all_is_sorted_and_complete() -> None:
    assert list(dedupe.__all__) == sorted(dedupe.__all__)
    public = {n for n in dir(dedupe) if not n.startswith("_") and not isinstance(getattr(dedupe, n), type(dedupe))}
    public.discard("annotations")
    assert public <= set(dedupe.__all__), public - set(dedupe.__all__)


def test_every_name_imports() -> None:
    for name in dedupe.__all__:
        assert getattr(importlib.import_module("dedupe"), name) is not None


def test_version() -> None:
    assert dedupe.__version__.count(".") == 2
