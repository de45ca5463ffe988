"""``dedupe.deduplicate_shards``: what it refuses, before Ray starts or anything is written.

These run without the ``ray`` extra: every check here happens before a backend is created. The
runs themselves (equality with the local pipeline and the CLI) are in ``tests/test_ray_backend.py``.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from dedupe import BoilerplateConfig, ConfigError, InputError, MissingDependencyError, deduplicate_shards
from dedupe.backends import get_backend
from dedupe.backends.ray_shards import plan_shards
from dedupe.cli import main

HAS_RAY = importlib.util.find_spec("ray") is not None


@pytest.fixture
def shards(tmp_path: Path) -> Path:
    folder = tmp_path / "shards"
    folder.mkdir()
    for s in range(2):
        rows = [{"id": f"{s}-{i}", "text": f"document {s} {i} " * 20} for i in range(3)]
        (folder / f"part-{s}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"boilerplate": BoilerplateConfig(near_threshold=0.7)}, r"near boilerplate \(BoilerplateConfig"),
        ({"keep": "longest"}, "keep='longest' is not available on the sharded Ray run"),
        ({"similarity": "containment"}, "similarity='containment' .* not available on the sharded Ray run"),
        ({"backend": "local"}, "deduplicate_shards runs on Ray: backend must be 'ray' or a RayBackend"),
        ({"on_error": "skip"}, "on_error"),
        ({"threshold": 1.5}, "threshold"),
    ],
)
def test_refused_before_anything_is_written(
    shards: Path, tmp_path: Path, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        deduplicate_shards(shards, tmp_path / "out", **options)
    assert not (tmp_path / "out").exists()


def test_near_boilerplate_is_not_refused_when_boilerplate_is_off(shards: Path, tmp_path: Path) -> None:
    # remove_boilerplate=False ignores the config, so the only refusal left is the backend's.
    with pytest.raises(ConfigError, match="backend must be 'ray'"):
        deduplicate_shards(shards, tmp_path / "out", remove_boilerplate=False,
                           boilerplate=BoilerplateConfig(near_threshold=0.7), backend=get_backend("local"))  # fmt: skip


def test_a_local_backend_object_is_refused(shards: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"a RayBackend \(got LocalBackend\)"):
        deduplicate_shards(shards, tmp_path / "out", backend=get_backend("local"))
    with pytest.raises(TypeError, match="backend must be 'ray' or a RayBackend"):
        deduplicate_shards(shards, tmp_path / "out", backend=3)  # type: ignore[arg-type]


def test_a_list_of_shards_keeps_its_order_and_is_checked(shards: Path, tmp_path: Path) -> None:
    files = sorted(shards.iterdir(), reverse=True)
    plan = plan_shards(files, text_field="text", id_field="id", on_error="raise")
    assert [Path(p).name for p in plan.paths] == ["part-1.jsonl", "part-0.jsonl"]
    assert plan_shards(shards, text_field="text", id_field="id", on_error="raise").paths == tuple(reversed(plan.paths))
    other = tmp_path / "other"
    other.mkdir()
    (other / "part-0.jsonl").write_bytes((shards / "part-0.jsonl").read_bytes())
    (tmp_path / "notes.txt").write_text("a text file", encoding="utf-8")
    for source, message in [
        ([shards / "part-0.jsonl", other / "part-0.jsonl"], "two shards are named 'part-0.jsonl'"),
        ([shards], "a folder in a list of shards"),
        ([], "the list of shards is empty"),
        ([tmp_path / "notes.txt"], "reads JSON Lines and Parquet shards, not .txt"),
    ]:
        with pytest.raises(ConfigError, match=message):
            deduplicate_shards(source, tmp_path / "out")
        assert not (tmp_path / "out").exists()
    with pytest.raises(InputError, match="no such file"):
        deduplicate_shards([tmp_path / "absent.jsonl"], tmp_path / "out")


def test_a_non_empty_output_folder_is_refused(shards: Path, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.jsonl").write_text("{}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="must not exist or be empty"):
        deduplicate_shards(shards, tmp_path / "out")


@pytest.mark.parametrize(
    ("flag", "named"),
    [
        (["--near-boilerplate"], "--near-boilerplate"),
        (["--keep", "longest"], "--keep longest"),
        (["--similarity", "containment"], "--similarity containment"),
        (["--duplicates", "d.jsonl"], "--duplicates"),
    ],
)
def test_cli_refuses_flags_the_sharded_run_lacks(
    shards: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: list[str], named: str
) -> None:
    out = tmp_path / "out"
    assert main(["clean", str(shards), "-o", str(out), "--backend", "ray", "--quiet", *flag]) == 1
    err = capsys.readouterr().err
    assert f"dedupe: error: {named}: not available with --backend ray on a folder of shards" in err
    assert not out.exists()


@pytest.mark.skipif(HAS_RAY, reason="checks the message given without the ray extra")
def test_without_ray_the_extra_is_named(shards: Path, tmp_path: Path) -> None:
    with pytest.raises(MissingDependencyError, match="ray"):
        deduplicate_shards(shards, tmp_path / "out")
