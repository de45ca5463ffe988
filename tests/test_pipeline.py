from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from backend_checks import PicklingBackend
from dedupe.config import BoilerplateConfig
from dedupe.errors import ConfigError, InputError
from dedupe.io import read_corpus
from dedupe.pipeline import CorpusResult, deduplicate

WORDS = [f"w{i}" for i in range(400)]


def _body(rng: random.Random, n: int = 150) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _edit(text: str, rng: random.Random, rate: float = 0.01) -> str:
    return " ".join(w if rng.random() > rate else "zz" + str(rng.randrange(999)) for w in text.split())


def _corpus(seed: int = 0) -> list[dict[str, object]]:
    rng = random.Random(seed)
    bases = [_body(rng) for _ in range(8)]
    recs: list[dict[str, object]] = [{"id": f"b{i}", "text": t, "lang": "x"} for i, t in enumerate(bases)]
    recs.append({"id": "exact1", "text": bases[2].upper(), "lang": "y"})
    recs.append({"id": "near1", "text": _edit(bases[5], rng), "lang": "z"})
    return recs


def test_accounts_for_planted_duplicates() -> None:
    result = deduplicate(_corpus(), id_field="id", remove_boilerplate=False)
    assert result.status.tolist() == ["kept"] * 8 + ["exact", "near"]
    assert result.duplicate_of[8:] == ["b2", "b5"]
    assert result.similarity[8] == 1.0 and 0.8 <= result.similarity[9] < 1.0
    assert result.summary().startswith("10 in = 8 kept + 2 duplicates (1 exact, 1 near) + 0 rejected")
    rows = list(result.duplicate_rows())
    assert rows[0] == {"id": "exact1", "duplicate_of": "b2", "kind": "exact", "similarity": 1.0}


def test_path_and_iterable_inputs_agree(tmp_path: Path) -> None:
    recs = _corpus(1)
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    a = deduplicate(path, id_field="id", remove_boilerplate=False)
    b = deduplicate(recs, id_field="id", remove_boilerplate=False)
    assert a.status.tolist() == b.status.tolist() and a.duplicate_of == b.duplicate_of
    a.write(tmp_path / "a.jsonl")
    b.write(tmp_path / "b.jsonl")
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    kept = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in kept] == [f"b{i}" for i in range(8)]
    assert all(set(r) == {"id", "text", "lang"} for r in kept)  # every input field is kept


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _planted(n_base: int, seed: int) -> tuple[list[dict[str, Any]], dict[str, tuple[str, str]]]:
    """Distinct documents, then for every fourth an exact copy (upper case) and for every fourth
    (shifted) a near copy (two words changed, far apart: Jaccard of 5-grams about 0.87), then four
    bad records. Returns the records and, for each planted duplicate, (its original, its kind)."""
    rng = random.Random(seed)
    recs: list[dict[str, Any]] = []
    planted: dict[str, tuple[str, str]] = {}
    for i in range(n_base):
        vocab = [f"d{i}w{k}" for k in range(300)]  # no word shared between two documents
        recs.append({"id": f"b{i}", "text": " ".join(rng.choice(vocab) for _ in range(150))})
    for i in range(0, n_base, 4):
        recs.append({"id": f"x{i}", "text": str(recs[i]["text"]).upper()})
        planted[f"x{i}"] = (f"b{i}", "exact")
    for i in range(1, n_base, 4):
        words = str(recs[i]["text"]).split()
        words[30], words[100] = "changed", "again"
        recs.append({"id": f"n{i}", "text": " ".join(words)})
        planted[f"n{i}"] = (f"b{i}", "near")
    recs += [{"id": "blank", "text": "   "}, {"id": "notext", "body": "x"}, {"id": "number", "text": 7},
             {"id": "huge", "text": "word " * 2000}]  # fmt: skip
    return recs, planted


def _outputs(result: CorpusResult, folder: Path) -> dict[str, bytes]:
    """Every file the CLI writes for a result, by name, as bytes."""
    result.write(folder / "out.jsonl")
    result.write_duplicates(folder / "dups.jsonl")
    result.write_rejects(folder / "rejects.jsonl")
    return {name: (folder / name).read_bytes() for name in ("out.jsonl", "dups.jsonl", "rejects.jsonl")}


def _lines(data: bytes) -> list[dict[str, Any]]:
    """The records of JSONL bytes: lines end at "\\n" only (str.splitlines also cuts at U+0085, U+2028...)."""
    return [json.loads(line) for line in data.decode("utf-8").split("\n") if line]


@pytest.mark.parametrize("remove_boilerplate", [False, True])
def test_output_files_account_for_every_record(tmp_path: Path, remove_boilerplate: bool) -> None:
    recs, planted = _planted(12, seed=3)
    path = _write_jsonl(tmp_path / "in.jsonl", recs)
    result = deduplicate(
        path, id_field="id", on_error="reject", max_chars=5000, remove_boilerplate=remove_boilerplate
    )
    files = _outputs(result, tmp_path)
    kept, dups, rejects = (_lines(files[n]) for n in ("out.jsonl", "dups.jsonl", "rejects.jsonl"))
    # Golden numbers of the fixture: 12 originals, 3 exact + 3 near copies, 4 bad records.
    assert (len(kept), len(dups), len(rejects)) == (12, 6, 4)
    assert len(kept) + len(dups) + len(rejects) == len(path.read_text(encoding="utf-8").splitlines()) == 22
    assert [r["id"] for r in kept] == [f"b{i}" for i in range(12)]
    assert {d["id"]: (d["duplicate_of"], d["kind"]) for d in dups} == planted
    assert sorted(r["reason"] for r in rejects) == ["bad_field_type", "empty_text", "missing_field", "too_large"]
    assert result.summary().startswith("22 in = 12 kept + 6 duplicates (3 exact, 3 near) + 4 rejected")


def test_workers_give_identical_bytes_over_many_batches(tmp_path: Path) -> None:
    recs, planted = _planted(60, seed=4)
    path = _write_jsonl(tmp_path / "in.jsonl", recs)
    batch = 7
    assert len(recs) > 10 * batch  # the pool signs many batches, out of order if it can
    files = {}
    for workers in (1, 2):
        folder = tmp_path / f"w{workers}"
        folder.mkdir()
        result = deduplicate(path, id_field="id", workers=workers, batch_size=batch, on_error="reject")
        files[workers] = _outputs(result, folder)
    assert files[1] == files[2]
    assert {d["id"]: (d["duplicate_of"], d["kind"]) for d in _lines(files[1]["dups.jsonl"])} == planted


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_compressed_output_is_compressed_by_the_workers_batch_by_batch(tmp_path: Path, suffix: str) -> None:
    """One gzip member (zstandard frame) per batch, compressed where the batch is encoded: the file
    is the same whatever the workers, and its content is the uncompressed output."""
    import gzip

    import zstandard

    recs, _ = _planted(60, seed=4)
    path = _write_jsonl(tmp_path / "in.jsonl", recs)
    outputs = {}
    for workers in (1, 2):
        result = deduplicate(path, id_field="id", workers=workers, batch_size=7, on_error="reject")
        result.write(tmp_path / f"w{workers}.jsonl{suffix}")
        outputs[workers] = (tmp_path / f"w{workers}.jsonl{suffix}").read_bytes()
    result.write(tmp_path / "plain.jsonl")
    assert outputs[1] == outputs[2]
    if suffix == ".gz":
        assert outputs[1].count(b"\x1f\x8b\x08") > 5  # several members
        content = gzip.decompress(outputs[1])
    else:
        assert outputs[1].count(b"\x28\xb5\x2f\xfd") > 5  # several frames
        reader = zstandard.ZstdDecompressor().stream_reader(outputs[1], read_across_frames=True)
        content = reader.read()
    assert content == (tmp_path / "plain.jsonl").read_bytes()
    assert [r.id for r in read_corpus(tmp_path / f"w1.jsonl{suffix}", id_field="id")] == [
        r["id"] for r in _lines(content)
    ]


def test_an_empty_compressed_output_is_a_valid_empty_file(tmp_path: Path) -> None:
    import gzip

    path = _write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "   "}])
    result = deduplicate(path, id_field="id", on_error="reject")
    assert result.write(tmp_path / "out.jsonl.gz") == 0
    assert gzip.decompress((tmp_path / "out.jsonl.gz").read_bytes()) == b""


def test_batch_size_does_not_change_the_output(tmp_path: Path) -> None:
    recs, _ = _planted(20, seed=5)
    footer = "Copyright 2024 Example Media"
    for rec in recs[:20]:
        rec["text"] = f"{rec['text']}\n{footer}"
    path = _write_jsonl(tmp_path / "in.jsonl", recs)
    outputs = []
    for batch in (1, 3, 1000):
        folder = tmp_path / f"b{batch}"
        folder.mkdir()
        outputs.append(_outputs(deduplicate(path, id_field="id", batch_size=batch, on_error="reject"), folder))
    assert outputs[0] == outputs[1] == outputs[2]
    assert footer not in outputs[0]["out.jsonl"].decode("utf-8")  # the boilerplate stage did run


def test_a_backend_runs_the_same_sequence(tmp_path: Path) -> None:
    recs, _ = _planted(16, seed=6)
    path = _write_jsonl(tmp_path / "in.jsonl", recs)
    local = _outputs(deduplicate(path, id_field="id", on_error="reject"), tmp_path)
    backend = PicklingBackend()
    (tmp_path / "b").mkdir()
    shipped = _outputs(deduplicate(path, id_field="id", on_error="reject", backend=backend), tmp_path / "b")
    assert shipped == local
    assert backend.calls["signatures"] == backend.calls["candidate pairs"] == 1 and "close" not in backend.calls


def test_deprecated_option_dicts_warn_and_still_work(tmp_path: Path) -> None:
    recs, _ = _planted(8, seed=7)
    config = BoilerplateConfig(near_threshold=0.7)
    new = _outputs(deduplicate(recs, id_field="id", on_error="reject", boilerplate=config), tmp_path)
    (tmp_path / "old").mkdir()
    with pytest.warns(DeprecationWarning, match="boilerplate_options"):
        old_result = deduplicate(recs, id_field="id", on_error="reject", boilerplate_options={"near_threshold": 0.7})
    assert _outputs(old_result, tmp_path / "old") == new
    with pytest.warns(DeprecationWarning, match="backend_options"), pytest.raises(ConfigError, match="no options"):
        deduplicate(recs, id_field="id", on_error="reject", backend_options={"num_cpus": 2})
    with pytest.raises(ConfigError, match="not both"), pytest.warns(DeprecationWarning):
        deduplicate(recs, boilerplate=config, boilerplate_options={"near_threshold": 0.7})
    with pytest.warns(DeprecationWarning, match="DedupResult"):
        from dedupe.pipeline import DedupResult
    assert DedupResult is CorpusResult


_RECORDS = st.lists(
    st.one_of(
        st.fixed_dictionaries({"text": st.sampled_from(["alpha beta gamma delta epsilon zeta", "one two three"])}),
        st.fixed_dictionaries({"text": st.text(max_size=30)}),
        st.fixed_dictionaries({"body": st.text(max_size=5)}),  # missing text field
        st.fixed_dictionaries({"text": st.integers()}),  # wrong type
        st.just({"text": "   "}),  # empty
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(_RECORDS)
@example([{"text": "\x85"}, {"text": "a\u2028b"}])  # line separators other than "\n" inside a record's text
def test_nothing_is_lost(records: list[dict[str, object]]) -> None:
    result = deduplicate(records, on_error="reject", remove_boilerplate=False)
    with tempfile.TemporaryDirectory() as folder:
        files = _outputs(result, Path(folder))
    kept, dups, rejects = (_lines(files[n]) for n in ("out.jsonl", "dups.jsonl", "rejects.jsonl"))
    assert len(kept) + len(dups) + len(rejects) == len(records)
    # Each record is where its input says it belongs: bad ones rejected, the two repeated texts once each.
    usable = [r for r in records if isinstance(r.get("text"), str) and str(r["text"]).strip()]
    assert len(rejects) == len(records) - len(usable)
    assert all(r["reason"] for r in rejects)
    assert len({r["text"] for r in kept}) == len(kept)  # no two kept records with the same text


def test_bad_record_raises_with_location(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "fine words here"}\n{"text": ""}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"in\.jsonl:2: field 'text' is empty"):
        deduplicate(path, remove_boilerplate=False)
    result = deduplicate(path, on_error="reject", remove_boilerplate=False)
    assert [r.reason for r in result.rejects] == ["empty_text"]
    assert result.status.tolist() == ["kept", "rejected"]


def test_group_field_is_checked() -> None:
    with pytest.raises(InputError, match="field 'site' is missing"):
        deduplicate([{"text": "a b c"}], group_field="site", remove_boilerplate=False)


@pytest.mark.parametrize(
    "kwargs", [{"threshold": 0}, {"threshold": 2}, {"on_error": "skip"}, {"workers": 0}, {"keep": "best"}]
)
def test_bad_parameters(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        deduplicate(["x y z"], remove_boilerplate=False, **kwargs)  # type: ignore[arg-type]


def test_report_is_json_ready() -> None:
    result = deduplicate(_corpus(), id_field="id", remove_boilerplate=False)
    report = json.loads(json.dumps(result.report()))
    assert report["counts"]["input"] == 10
    assert report["params"]["fingerprint"].startswith("minhash-v1:")
    assert {"read_and_sign", "lsh", "cluster"} <= set(report["timings_s"])
    assert report["largest_clusters"][0]["size"] == 2
    assert np.isnan(result.similarity[0])


def test_duplicate_rows_without_id_field_use_record_id() -> None:
    rows = list(deduplicate(_corpus(), remove_boilerplate=False).duplicate_rows())
    assert rows[0]["record_id"] == "8" and rows[0]["duplicate_of"] == "2" and "id" not in rows[0]


def test_only_boilerplate_records_are_rejected_with_their_record(tmp_path: Path) -> None:
    rng = random.Random(8)
    header, footer = "Site header line\nMenu | Home | About", "Leave a Reply\nScroll to Top"
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(300)]
    bodies = [" ".join(rng.choice(words) for _ in range(120)) for _ in range(3)]  # digits would be masked alike
    recs = [{"id": f"p{i}", "text": f"{header}\n\n{bodies[i]}\n\n{footer}"} for i in range(3)]
    recs.append({"id": "empty-page", "text": f"{header}\n\n{footer}"})
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    result = deduplicate(path, id_field="id")
    assert result.status.tolist() == ["kept", "kept", "kept", "rejected"]
    (rejected,) = result.rejects
    assert rejected.reason == "only_boilerplate" and rejected.line == 4 and rejected.source == str(path)
    assert json.loads(rejected.raw or "")["id"] == "empty-page"
    assert result.counts()["rejected"] == 1 and result.boilerplate_spans[3] == 0


def test_backend_must_be_a_name_or_a_backend() -> None:
    with pytest.raises(TypeError, match=r"backend must be a Backend or a backend name \(got int\)"):
        deduplicate(["x y z"], backend=3)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="unknown backend 'spark'"):
        deduplicate(["x y z"], backend="spark")
