"""The shipped Unicode tables: equal to fresh builds for every code point, version-checked, packaged."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from dedupe import _unicode_build, _unicode_tables, normalize, scripts
from dedupe.errors import CorruptFileError

_CACHED = (
    _unicode_tables._shipped,
    normalize.char_classes,
    normalize._translation,
    normalize._digit_table,
    normalize._special_pattern,
    scripts.script_classes,
)


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    """Clear the cached tables before and after a test that changes where they come from."""
    for f in _CACHED:
        f.cache_clear()
    yield
    for f in _CACHED:
        f.cache_clear()


def _first_differences(got: bytes, expected: bytes) -> list[str]:
    return [f"U+{cp:04X}: shipped {got[cp]}, built {expected[cp]}" for cp in range(len(expected))
            if got[cp] != expected[cp]][:10]


def _translation_as_before() -> dict[int, str]:
    """The translation table as normalize built it before the tables were shipped (reference)."""
    table: dict[int, str] = {}
    for cp in range(0x80, sys.maxunicode + 1):
        cat = unicodedata.category(chr(cp))
        if cat in ("Zs", "Zl", "Zp", "Cc"):
            table[cp] = " "
        elif cat == "Cf":
            table[cp] = ""
        elif cat == "Cs":
            table[cp] = "\ufffd"
        elif cat == "Pd":
            table[cp] = "-"
    for ch in "\u2018\u2019\u201a\u201b\u2032\u2035\u2039\u203a\uff07":
        table[ord(ch)] = "'"
    for ch in "\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\u301d\u301e\uff02":
        table[ord(ch)] = '"'
    for cp in range(0x00, 0x20):
        table[cp] = " "
    table[0x7F] = " "
    return table


@pytest.mark.slow
def test_shipped_tables_equal_fresh_builds_for_every_code_point(fresh_caches: None) -> None:
    """Full check (~1 s): every shipped table against a build from this Python's unicodedata."""
    shipped = _unicode_tables.read_tables(_unicode_tables.TABLES_PATH)
    if shipped is None:
        pytest.skip(f"the shipped tables are for another Unicode version than {unicodedata.unidata_version}")
    for name, build in _unicode_build.builders().items():
        expected = build()
        assert len(shipped[name]) == len(expected) == sys.maxunicode + 1
        assert shipped[name] == expected, f"{name} differs: {_first_differences(shipped[name], expected)}"
    translation = normalize._translation()
    assert list(translation.items()) == list(_translation_as_before().items())  # same entries, same order
    digits = {cp: "0" for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == "Nd"}
    assert normalize._digit_table() == digits


def test_loading_never_builds(fresh_caches: None, monkeypatch: pytest.MonkeyPatch) -> None:
    if _unicode_tables.read_tables(_unicode_tables.TABLES_PATH) is None:
        pytest.skip("the shipped tables are for another Unicode version")

    def refuse() -> bytes:
        raise AssertionError("a table was built although the shipped one matches")

    monkeypatch.setattr(normalize, "build_char_classes", refuse)
    monkeypatch.setattr(normalize, "build_translation_kinds", refuse)
    monkeypatch.setattr(scripts, "build_script_classes", refuse)
    assert normalize.normalize_text("Caf\u00e9\u2019s \u2014 \u0663", mask_digits=True) == "caf\u00e9's - 0"
    assert len(normalize.char_classes()) == len(scripts.script_classes()) == sys.maxunicode + 1


def _copy_with_header(tmp_path: Path, **changes: object) -> Path:
    head, _, body = _unicode_tables.TABLES_PATH.read_bytes().partition(b"\n")
    header = {**json.loads(head), **changes}
    path = tmp_path / "tables.bin"
    path.write_bytes(json.dumps(header).encode() + b"\n" + body)
    return path


def test_other_unicode_version_or_absent_file_builds_instead(
    fresh_caches: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _unicode_tables.read_tables(_copy_with_header(tmp_path, unidata_version="0.0.1")) is None
    assert _unicode_tables.read_tables(tmp_path / "missing.bin") is None
    monkeypatch.setattr(_unicode_tables, "TABLES_PATH", _copy_with_header(tmp_path, unidata_version="0.0.1"))
    built: list[str] = []

    def build() -> bytes:
        built.append("script_classes")
        return bytes(sys.maxunicode + 1)

    monkeypatch.setattr(scripts, "build_script_classes", build)
    assert scripts.script_classes() == bytes(sys.maxunicode + 1)
    assert built == ["script_classes"]


def test_same_version_reads_back(tmp_path: Path) -> None:
    path = _copy_with_header(tmp_path, unidata_version=unicodedata.unidata_version)
    assert _unicode_tables.read_tables(path) == _unicode_tables.read_tables(_unicode_tables.TABLES_PATH)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-10],  # truncated
        lambda data: data.replace(b'"format": 1', b'"format": 9'),
        lambda data: b"not json\n" + data.partition(b"\n")[2],
        lambda data: data + b"extra",
    ],
)
def test_damaged_file_raises(tmp_path: Path, damage: object) -> None:
    path = tmp_path / "tables.bin"
    path.write_bytes(damage(_unicode_tables.TABLES_PATH.read_bytes()))  # type: ignore[operator]
    with pytest.raises(CorruptFileError, match="unreadable Unicode tables"):
        _unicode_tables.read_tables(path)


def test_tables_file_is_packaged() -> None:
    """The wheel packages ``src/dedupe`` (hatchling): the file must sit there, tracked, not ignored."""
    root = Path(__file__).resolve().parent.parent
    pyproject = (root / "pyproject.toml").read_text()
    assert 'packages = ["src/dedupe"]' in pyproject
    assert _unicode_tables.TABLES_PATH.parent == root / "src" / "dedupe"
    git = shutil.which("git")
    if git is None or not (root / ".git").exists():
        pytest.skip("not a git checkout")
    rel = _unicode_tables.TABLES_PATH.relative_to(root)
    ignored = subprocess.run([git, "check-ignore", "-q", str(rel)], cwd=root, check=False)
    assert ignored.returncode == 1, f"{rel} is git-ignored, so hatchling would leave it out of the wheel"
    tracked = subprocess.run([git, "ls-files", "--error-unmatch", str(rel)], cwd=root, capture_output=True, check=False)
    assert tracked.returncode == 0, f"{rel} is not committed"
