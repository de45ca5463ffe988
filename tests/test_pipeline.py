from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.errors import ConfigError, InputError
from dedupe.pipeline import deduplicate

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


def test_workers_give_identical_output(tmp_path: Path) -> None:
    recs = _corpus(2) * 1
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    one = deduplicate(path, id_field="id", workers=1, remove_boilerplate=False)
    two = deduplicate(path, id_field="id", workers=2, remove_boilerplate=False)
    one.write(tmp_path / "1.jsonl")
    two.write(tmp_path / "2.jsonl")
    assert (tmp_path / "1.jsonl").read_bytes() == (tmp_path / "2.jsonl").read_bytes()
    assert one.duplicate_of == two.duplicate_of


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
def test_nothing_is_lost(records: list[dict[str, object]]) -> None:
    result = deduplicate(records, on_error="reject", remove_boilerplate=False)
    counts = result.counts()
    assert counts["kept"] + counts["duplicates"] + counts["rejected"] == counts["input"] == len(records)
    assert len(result.rejects) == counts["rejected"]
    assert all(r.reason for r in result.rejects)


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
