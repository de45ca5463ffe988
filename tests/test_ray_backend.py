"""The Ray backend against the local one: identical results, on one small local Ray instance.

Skipped when the ``ray`` extra is not installed. One session-scoped Ray instance (2 CPUs, no
dashboard, a modest object store) serves every test; each shuffle costs a few seconds, so the
cases are few and each covers a lot: planted duplicates across blocks, forced tiny blocks, a giant
bucket, a long chain, a worker failure, and shards read and written by Ray Data.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
ray = pytest.importorskip("ray")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from backend_checks import assert_same_result  # noqa: E402
from dedupe.backends import STAR_ABOVE, Backend, BackendError, get_backend  # noqa: E402
from dedupe.backends.local import LocalBackend  # noqa: E402
from dedupe.backends.ray import RayBackend, collect_documents, read_shards, write_shards  # noqa: E402
from dedupe.config import BoilerplateConfig  # noqa: E402
from dedupe.duplicates import find_duplicates  # noqa: E402
from dedupe.errors import ConfigError, InputError  # noqa: E402
from dedupe.minhash import MinHasher  # noqa: E402


def planted_corpus(n_base: int = 400, seed: int = 11) -> list[str]:
    """Random documents with near duplicates (one word changed, placed far from their source),
    exact duplicates (case and spacing), texts without words and a lone surrogate; shuffled."""
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(3000)]
    base = [" ".join(rng.choice(vocab) for _ in range(rng.randint(30, 100))) for _ in range(n_base)]
    docs = list(base)
    for _ in range(n_base // 3):
        words = base[rng.randrange(n_base)].split()
        for _ in range(rng.choice([1, 1, 2])):
            words[rng.randrange(len(words))] = rng.choice(vocab)
        docs.append(" ".join(words))
    docs += ["  " + base[rng.randrange(n_base)].upper() for _ in range(n_base // 10)]
    docs += ["", "!!!", "", "?"] + ["lone \ud800 surrogate and a few more words"] * 2
    rng.shuffle(docs)
    return docs


@pytest.fixture(scope="session")
def ray_instance() -> Iterator[None]:
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, object_store_memory=400 * 2**20, log_to_driver=False)
    yield
    if started:
        ray.shutdown()


@pytest.fixture(scope="session")
def backend(ray_instance: None) -> Iterator[RayBackend]:
    with RayBackend(num_partitions=4) as created:
        yield created


@pytest.fixture
def tiny_blocks() -> Iterator[None]:
    """Force Ray Data to cut blocks at 4 KiB (shuffle outputs included) for one test."""
    context = ray.data.DataContext.get_current()
    saved = context.target_max_block_size
    context.target_max_block_size = 4096
    yield
    context.target_max_block_size = saved


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    return planted_corpus()


# -- protocol ----------------------------------------------------------------------------------


def test_ray_backend_conforms_and_leaves_a_running_ray_alone(ray_instance: None) -> None:
    created = get_backend("ray", num_partitions=3)
    assert isinstance(created, RayBackend) and isinstance(created, Backend)
    assert created.name == "ray" and created.num_partitions == 3
    created.close()
    created.close()
    assert ray.is_initialized()  # it did not start Ray, so it did not stop it
    with pytest.raises(BackendError, match="closed"):
        created.map_batches(len, [[1]])


def test_ray_backend_options_are_checked(ray_instance: None) -> None:
    with pytest.raises(ConfigError, match="num_partitions"):
        get_backend("ray", num_partitions=0)
    with pytest.raises(ConfigError, match="does not take these options"):
        get_backend("ray", workers=3)


# -- identical results -------------------------------------------------------------------------


def test_planted_duplicates_across_blocks(backend: RayBackend, corpus: list[str]) -> None:
    expected = find_duplicates(corpus)
    assert (expected.status == "near").sum() > 50 and (expected.status == "exact").sum() > 20
    assert_same_result(find_duplicates(corpus, backend=backend, batch_size=97), expected)


@pytest.mark.parametrize(("keep", "verify"), [("longest", "exact")])
def test_other_policies(backend: RayBackend, corpus: list[str], keep: Any, verify: Any) -> None:
    expected = find_duplicates(corpus, keep=keep, verify=verify, threshold=0.75)
    assert_same_result(
        find_duplicates(corpus, backend=backend, keep=keep, verify=verify, threshold=0.75, batch_size=250), expected
    )


def test_forced_tiny_blocks(backend: RayBackend, corpus: list[str], tiny_blocks: None) -> None:
    assert_same_result(find_duplicates(corpus, backend=backend, batch_size=64), find_duplicates(corpus))


def test_giant_bucket(backend: RayBackend) -> None:
    # 300 copies of one text, each with one extra word: they share most band keys, so buckets of
    # ~300 rows take the star path (star edges to the bucket minimum), and some buckets stay small.
    rng = random.Random(5)
    template = [f"t{i}" for i in range(60)]
    docs = []
    for i in range(300):
        words = list(template)
        words.insert(rng.randrange(61), f"x{i}")
        docs.append(" ".join(words))
    docs += planted_corpus(60, seed=2)
    hasher = MinHasher(num_perm=128, seed=1)
    sigs = np.asarray(hasher.signatures(docs))
    local = LocalBackend().candidate_pairs(sigs, num_bands=18, rows_per_band=7, star_above=STAR_ABOVE)
    got = backend.candidate_pairs(sigs, num_bands=18, rows_per_band=7, star_above=STAR_ABOVE)
    assert len(local) < 300 * 299 // 2  # the star path was taken
    assert got.dtype == np.int64 and np.array_equal(got, local)
    expected = find_duplicates(docs)
    assert len(expected.clusters()[0]) >= 250
    assert_same_result(find_duplicates(docs, backend=backend, batch_size=50), expected)


def test_long_chain_is_one_component(backend: RayBackend) -> None:
    # A sliding window: each document shares 95 of 100 words with the next, the ends share none.
    rng = random.Random(9)
    words = [f"c{rng.randrange(10**6)}" for _ in range(100 + 5 * 80)]
    docs = [" ".join(words[5 * i : 5 * i + 100]) for i in range(81)]
    order = list(range(len(docs)))
    rng.shuffle(order)
    docs = [docs[i] for i in order]
    expected = find_duplicates(docs, threshold=0.8)
    assert len(expected.clusters()) == 1 and len(expected.clusters()[0]) == 81
    assert_same_result(find_duplicates(docs, backend=backend, threshold=0.8, batch_size=8), expected)


@pytest.mark.parametrize("star_above", [None, 3])
def test_candidate_pairs_in_two_passes(ray_instance: None, star_above: int | None) -> None:
    rng = np.random.default_rng(3)
    sigs = rng.integers(0, 3, size=(400, 12), dtype=np.uint32)  # tiny alphabet: buckets of every size
    with RayBackend(num_partitions=3, bands_per_pass=2) as two_passes:
        got = two_passes.candidate_pairs(sigs, num_bands=4, rows_per_band=3, star_above=star_above)
    local = LocalBackend().candidate_pairs(sigs, num_bands=4, rows_per_band=3, star_above=star_above)
    assert np.array_equal(got, local)


def test_map_batches_restores_order(backend: RayBackend) -> None:
    batches = [list(range(i)) for i in range(40)]
    assert backend.map_batches(sum, batches) == [sum(b) for b in batches]
    assert backend.map_batches(sum, []) == []


# -- failures ----------------------------------------------------------------------------------


def test_worker_failure_names_the_stage(backend: RayBackend) -> None:
    # A builtin, so that workers can unpickle it (they cannot import this test module).
    with pytest.raises(BackendError, match=r"stage 'boilerplate counts'.*ValueError: invalid literal") as info:
        backend.map_batches(int, ["1", "poisoned", "2"], stage="boilerplate counts")
    assert info.value.stage == "boilerplate counts" and info.value.backend == "ray"
    assert "no partial output" in str(info.value)


# -- shards ------------------------------------------------------------------------------------


def test_jsonl_shards_round_trip(ray_instance: None, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    rows = [{"url": f"u{i}", "body": f"text {i} é", "other": i} for i in range(25)]
    for shard in range(3):
        with (folder / f"part-{shard}.jsonl").open("w", encoding="utf-8") as out:
            for row in rows[shard * 10 : shard * 10 + 10]:
                out.write(json.dumps(row) + "\n")
    dataset = read_shards(folder, text_field="body", id_field="url")
    ids, texts = collect_documents(dataset, text_field="body", id_field="url")
    assert ids == [r["url"] for r in rows] and texts == [r["body"] for r in rows]
    write_shards(dataset, tmp_path / "out", format="parquet")
    again = read_shards(tmp_path / "out", text_field="body", id_field="url")
    assert sorted(collect_documents(again, text_field="body", id_field="url")[0]) == sorted(ids)
    with pytest.raises(InputError, match=r"field 'text' is missing .*'url'.*pass text_field="):
        read_shards(folder, text_field="text", id_field="url")


def test_parquet_shards_and_bad_input(ray_instance: None, tmp_path: Path) -> None:
    folder = tmp_path / "pq"
    folder.mkdir()
    for shard in range(2):
        table = pa.table({"id": [shard * 10 + i for i in range(5)], "text": [f"doc {shard} {i}" for i in range(5)]})
        pq.write_table(table, folder / f"{shard:03d}.parquet")
    ids, texts = collect_documents(read_shards(folder), text_field="text", id_field="id")
    assert ids == ["0", "1", "2", "3", "4", "10", "11", "12", "13", "14"]
    assert texts[5] == "doc 1 0"
    pq.write_table(pa.table({"id": [1], "text": ["again"]}), folder / "999.parquet")
    with pytest.raises(InputError, match="id '1' appears more than once"):
        collect_documents(read_shards(folder), text_field="text", id_field="id")
    with pytest.raises(InputError, match="no such file"):
        read_shards(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"no \.parquet or \.jsonl shards"):
        read_shards(tmp_path / "empty")


def test_pipeline_on_ray_matches_local(ray_instance: None, tmp_path: Path) -> None:
    """deduplicate(backend="ray") keeps the same records, with the same representatives and cleaned texts."""
    from dedupe.pipeline import deduplicate

    docs = [d for d in planted_corpus(120, seed=5) if d.strip()]
    site = [f"s{i % 3}" for i in range(len(docs))]
    recs = [
        {"id": f"d{i}", "site": site[i], "text": f"Site {site[i]} header\nMenu | Home\n\n{d}\n\nScroll to Top"}
        for i, d in enumerate(docs)
    ]
    local = deduplicate(recs, id_field="id", group_field="site")
    on_ray = deduplicate(recs, id_field="id", group_field="site", backend="ray")
    assert on_ray.status.tolist() == local.status.tolist()
    assert on_ray.duplicate_of == local.duplicate_of
    assert on_ray.similarity.tobytes() == local.similarity.tobytes()
    local.write(tmp_path / "local.jsonl")
    on_ray.write(tmp_path / "ray.jsonl")
    assert (tmp_path / "local.jsonl").read_bytes() == (tmp_path / "ray.jsonl").read_bytes()
    assert local.counts()["near"] > 0 and local.counts()["exact"] > 0


# ---------------------------------------------------------------------------------------------
# The sharded run: shards in, shards out, compared with the local pipeline on the same folder


def sharded_corpus(folder: Path, *, shards: int = 4, seed: int = 5, sites: bool = False) -> dict[str, str]:
    """Write ``shards`` JSON Lines shards (the last gzipped) and return the planted cases by id.

    Planted: an exact copy and a near copy whose originals sit in *another* shard; a footer line
    that occurs once per shard (frequent only when counted across shards); an empty text (a
    reject); records with an extra field in varying key order (kept byte for byte). With
    ``sites``, every record has a ``site`` field (``"a"`` in even shards, the int ``7`` in odd
    ones), a ``group_footer`` occurs once in shards 0 and 2 (twice in site a: frequent), a
    ``cross_footer`` once in shards 1 and 2 (once per site: not frequent), and one record of
    shard 1 lacks the field (a reject).
    """
    import gzip

    rng = random.Random(seed)
    vocab = [f"v{i}" for i in range(4000)]
    footer = "Share this story with a friend on every network today"
    group_footer = "Subscribe to the site a newsletter for weekly digests of everything"
    cross_footer = "Follow our partner pages across the wider web for more updates"
    rows: list[list[dict[str, Any]]] = [[] for _ in range(shards)]
    for s in range(shards):
        for j in range(15):
            text = " ".join(rng.choice(vocab) for _ in range(rng.randint(40, 90)))
            if j == 3:
                text += "\n" + footer
            if sites and j == 6 and s in (0, 2):
                text += "\n" + group_footer
            if sites and j == 8 and s in (1, 2):
                text += "\n" + cross_footer
            row: dict[str, Any] = {"id": f"s{s}-{j}", "text": text}
            if sites:
                row["site"] = "a" if s % 2 == 0 else 7
            if j % 4 == 0:
                row = {"lang": "xx", **row, "n": j}
            rows[s].append(row)
    original = rows[0][5]["text"]
    words = original.split()
    words[7] = "edited"
    extra: dict[str, Any] = {"site": 7} if sites else {}
    rows[2].append({"id": "near-copy", "text": " ".join(words), **extra})
    rows[3].insert(2, {"id": "exact-copy", "text": "  " + original.upper() + " ", **extra})
    rows[1].append({"id": "empty", "text": "   "})
    if sites:
        rows[1].insert(4, {"id": "no-site", "text": "a record without the group field " * 5})
    for s, shard_rows in enumerate(rows):
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in shard_rows).encode()
        if s == shards - 1:
            (folder / f"part-{s}.jsonl.gz").write_bytes(gzip.compress(lines))
        else:
            (folder / f"part-{s}.jsonl").write_bytes(lines)
    return {"original": "s0-5", "footer": footer, "group_footer": group_footer, "cross_footer": cross_footer}


def _concat(paths: list[Path]) -> bytes:
    import gzip

    out = b""
    for p in paths:
        if p.exists():
            out += gzip.decompress(p.read_bytes()) if p.name.endswith(".gz") else p.read_bytes()
    return out


@pytest.mark.parametrize("group_field", [None, "site"])
def test_sharded_run_equals_local_pipeline(ray_instance: None, tmp_path: Path, group_field: str | None) -> None:
    from dedupe import deduplicate_shards
    from dedupe.pipeline import deduplicate

    shards = tmp_path / "shards"
    shards.mkdir()
    planted = sharded_corpus(shards, sites=group_field is not None)
    local = deduplicate(shards, id_field="id", group_field=group_field, on_error="reject")
    local.write(tmp_path / "local.jsonl")
    local.write_duplicates(tmp_path / "local-dups.jsonl")
    local.write_rejects(tmp_path / "local-rejects.jsonl")
    out = tmp_path / "out"
    with RayBackend(num_partitions=3) as engine:
        run = deduplicate_shards(shards, out, backend=engine, id_field="id", group_field=group_field, on_error="reject")
    names = sorted(p.name for p in shards.iterdir())
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith("_")) == names
    side = [n.split(".")[0] + ".jsonl" for n in names]
    assert _concat([out / n for n in names]) == (tmp_path / "local.jsonl").read_bytes()
    assert _concat([out / "_duplicates" / n for n in side]) == (tmp_path / "local-dups.jsonl").read_bytes()
    assert _concat([out / "_rejects" / n for n in side]) == (tmp_path / "local-rejects.jsonl").read_bytes()
    # The planted cases, checked against their definitions (not only against the local run).
    dups = {d["id"]: d for d in map(json.loads, (tmp_path / "local-dups.jsonl").read_text().splitlines())}
    assert dups["exact-copy"]["duplicate_of"] == planted["original"] and dups["exact-copy"]["kind"] == "exact"
    assert dups["near-copy"]["duplicate_of"] == planted["original"] and dups["near-copy"]["kind"] == "near"
    kept_text = _concat([out / n for n in names]).decode()
    assert planted["footer"] not in kept_text  # once per shard: frequent only across shards
    assert _concat([shards / n for n in names]).decode().count(planted["footer"]) == 4
    rejects = [json.loads(line) for line in (tmp_path / "local-rejects.jsonl").read_text().splitlines()]
    if group_field is not None:  # counted per site: frequent in site a only, not across the two sites
        assert planted["group_footer"] not in kept_text and kept_text.count(planted["cross_footer"]) == 2
        assert sorted(r["reason"] for r in rejects) == ["empty_text", "missing_field"]
        assert json.loads((out / "_report.json").read_text())["params"]["group_field"] == "site"
    else:
        assert [r["reason"] for r in rejects] == ["empty_text"]
    counts = local.counts()
    assert run.counts["input"] == counts["input"] == sum(e["input"] for e in run.per_shard)
    assert (run.counts["kept"], run.counts["duplicates"], run.counts["rejected"]) == (
        counts["kept"], counts["duplicates"], counts["rejected"],
    )  # fmt: skip
    report = json.loads((out / "_report.json").read_text())
    assert report["counts"]["kept"] == counts["kept"] and report["driver_graph"]["removed"] == 2


def test_sharded_run_parquet_and_checks(ray_instance: None, tmp_path: Path) -> None:
    from dedupe import deduplicate_shards
    from dedupe.pipeline import deduplicate

    shards = tmp_path / "pq"
    shards.mkdir()
    docs = planted_corpus(60, seed=3)
    for s in range(2):
        part = [{"id": f"{s}-{i}", "text": t} for i, t in enumerate(docs[s::2]) if t.strip() and "\ud800" not in t]
        pq.write_table(pa.Table.from_pylist(part), shards / f"p{s}.parquet")
    local = deduplicate(shards, id_field="id", remove_boilerplate=False)
    local.write(tmp_path / "local.parquet")
    with RayBackend(num_partitions=2) as engine:
        run = deduplicate_shards(shards, tmp_path / "out", backend=engine, id_field="id", remove_boilerplate=False)
        with pytest.raises(ConfigError, match="must not exist or be empty"):
            deduplicate_shards(shards, tmp_path / "out", backend=engine, id_field="id")
        near = BoilerplateConfig(near_threshold=0.9)
        with pytest.raises(ConfigError, match=r"near boilerplate \(BoilerplateConfig.near_threshold"):
            deduplicate_shards(shards, tmp_path / "out2", backend=engine, boilerplate=near)
        assert not (tmp_path / "out2").exists()  # refused before anything was written
    ray_rows = [r for s in range(2) for r in pq.read_table(tmp_path / "out" / f"p{s}.parquet").to_pylist()]
    assert ray_rows == pq.read_table(tmp_path / "local.parquet").to_pylist()
    assert run.counts["duplicates"] == local.counts()["duplicates"] > 0


def test_sharded_api_with_a_list_equals_the_cli_and_local(ray_instance: None, tmp_path: Path) -> None:
    """``dedupe.deduplicate_shards([files])`` writes what ``dedupe clean SHARDS/ --backend ray`` writes.

    Both equal the local pipeline on the folder (kept records concatenated in shard order); the
    list, given in file-name order, is the folder's order.
    """
    from dedupe import deduplicate, deduplicate_shards
    from dedupe.cli import main

    shards = tmp_path / "shards"
    shards.mkdir()
    sharded_corpus(shards)
    local = deduplicate(shards, id_field="id", on_error="reject")
    local.write(tmp_path / "local.jsonl")
    files = sorted(shards.iterdir())
    run = deduplicate_shards(files, tmp_path / "api", id_field="id", on_error="reject")  # backend="ray"
    cli = ["clean", str(shards), "-o", str(tmp_path / "cli"), "--backend", "ray", "--id-field", "id",
           "--on-error", "reject", "--quiet"]  # fmt: skip
    assert main(cli) == 0
    written = sorted(p.relative_to(tmp_path / "api") for p in (tmp_path / "api").rglob("*") if p.is_file())
    assert written == sorted(p.relative_to(tmp_path / "cli") for p in (tmp_path / "cli").rglob("*") if p.is_file())
    assert sorted(str(w) for w in written if len(w.parts) == 1) == sorted([p.name for p in files] + ["_report.json"])
    for rel in written:
        if rel.name != "_report.json":
            assert (tmp_path / "api" / rel).read_bytes() == (tmp_path / "cli" / rel).read_bytes(), rel
    reports = [json.loads((tmp_path / d / "_report.json").read_text()) for d in ("api", "cli")]
    assert reports[0]["per_shard"] == reports[1]["per_shard"] == run.per_shard
    assert _concat([tmp_path / "api" / p.name for p in files]) == (tmp_path / "local.jsonl").read_bytes()
    assert run.counts["duplicates"] == local.counts()["duplicates"] == 2


def test_sharded_run_reports_a_record_kept_whole_as_the_local_run_does(ray_instance: None, tmp_path: Path) -> None:
    """A record of more units than its budget (``unit_budget``) is kept whole and named in both reports."""
    from dedupe import deduplicate_shards
    from dedupe.boilerplate.long_docs import MIN_UNITS
    from dedupe.pipeline import deduplicate

    shards = tmp_path / "shards"
    shards.mkdir()
    footer = "Leave a Reply\nScroll to Top\n"
    huge = "One record of many short lines.\n" + "A.\n" * (MIN_UNITS + 10) + footer  # 197 KB, 3 characters a unit
    for s in range(2):
        rows = [{"id": f"s{s}-{i}", "text": f"Story {s} {i}, of more than eight words, told once.\n{footer}"}
                for i in range(3)]  # fmt: skip
        if s == 1:
            rows.insert(1, {"id": "huge", "text": huge})
        (shards / f"part-{s}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    local = deduplicate(shards, id_field="id")
    local.write(tmp_path / "local.jsonl")
    with RayBackend(num_partitions=2) as engine:
        deduplicate_shards(shards, tmp_path / "out", backend=engine, id_field="id")
    report = json.loads((tmp_path / "out" / "_report.json").read_text())
    assert report["boilerplate_skipped"] == local.report()["boilerplate_skipped"] == {"records": 1, "ids": ["huge"]}
    names = sorted(p.name for p in shards.iterdir())
    assert _concat([tmp_path / "out" / n for n in names]) == (tmp_path / "local.jsonl").read_bytes()
    written = {r["id"]: r["text"] for r in map(json.loads, (tmp_path / "local.jsonl").read_text().splitlines())}
    assert written["huge"] == huge and "Scroll to Top" not in written["s0-0"]
