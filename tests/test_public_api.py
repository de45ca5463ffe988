"""The public API: the exact names, where each comes from, and the deprecated names of the first release."""

from __future__ import annotations

import importlib

import pytest

import dedupe

#: Every public name and the module that defines it (golden: changing the API changes this table).
PUBLIC = {
    "BackendError": "dedupe.errors",
    "BoilerplateConfig": "dedupe.config",
    "BoilerplateModel": "dedupe.boilerplate.model",
    "BoilerplateSpan": "dedupe.boilerplate.spans",
    "ConfigError": "dedupe.errors",
    "CorpusResult": "dedupe._corpus",
    "CorruptFileError": "dedupe.errors",
    "DedupeError": "dedupe.errors",
    "DuplicateConfig": "dedupe.config",
    "DuplicateResult": "dedupe.results",
    "IncompatibleSignaturesError": "dedupe.errors",
    "InputError": "dedupe.errors",
    "LSHConfig": "dedupe.config",
    "LSHIndex": "dedupe.lsh",
    "MinHashConfig": "dedupe.config",
    "MinHasher": "dedupe.minhash",
    "MissingDependencyError": "dedupe.errors",
    "Record": "dedupe.io.records",
    "Rejected": "dedupe.io.records",
    "ShingleConfig": "dedupe.config",
    "deduplicate": "dedupe.pipeline",
    "deduplicate_shards": "dedupe.sharded",
    "estimated_jaccard": "dedupe.minhash",
    "find_boilerplate": "dedupe.boilerplate.model",
    "find_duplicates": "dedupe.duplicates",
    "from_datasketch": "dedupe.interop",
    "normalize_text": "dedupe.normalize",
    "read_corpus": "dedupe.io",
    "strip_boilerplate": "dedupe.boilerplate.model",
    "to_datasketch": "dedupe.interop",
    "word_shingles": "dedupe.shingles",
    "write_corpus": "dedupe.io",
}


def test_all_is_sorted_and_is_exactly_the_public_names() -> None:
    assert list(dedupe.__all__) == sorted(dedupe.__all__)
    assert set(dedupe.__all__) == {*PUBLIC, "__version__"}
    public = {n for n in dir(dedupe) if not n.startswith("_") and not isinstance(getattr(dedupe, n), type(dedupe))}
    public.discard("annotations")
    assert public == set(PUBLIC), public ^ set(PUBLIC)


@pytest.mark.parametrize(("name", "module"), sorted(PUBLIC.items()))
def test_each_name_is_the_object_its_module_defines(name: str, module: str) -> None:
    obj = getattr(dedupe, name)
    assert getattr(obj, "__module__", None) == module
    assert obj is getattr(importlib.import_module(module), obj.__name__)


def test_every_error_is_a_dedupe_error() -> None:
    errors = [getattr(dedupe, n) for n in PUBLIC if n.endswith("Error")]
    assert len(errors) == 7
    assert all(issubclass(e, dedupe.DedupeError) for e in errors)


@pytest.mark.parametrize(("old", "new"), [("DedupResult", "CorpusResult"), ("jaccard", "estimated_jaccard")])
def test_deprecated_names_warn_and_point_at_the_new_ones(old: str, new: str) -> None:
    with pytest.warns(DeprecationWarning, match=f"dedupe.{old} is deprecated; use dedupe.{new}"):
        obj = getattr(dedupe, old)
    assert obj is getattr(dedupe, new)
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        dedupe.nothing_here  # noqa: B018


def test_version_matches_the_project_file() -> None:
    import re
    from pathlib import Path

    pyproject = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version = "([^"]+)"', pyproject, flags=re.M)
    assert match is not None and dedupe.__version__ == match.group(1)
