"""Shards in, shards out on Ray: :func:`deduplicate_shards` (``dedupe clean SHARDS/ -o OUT/ --backend ray``).

:func:`dedupe.deduplicate` collects every record on the driver, whatever its backend; this runs the
same job with the records kept in their shards: Ray workers read, sign, verify, count and strip
boilerplate and write one output shard per input shard (``dedupe.backends.ray_pipeline`` has the
stages and what each moves). Its output, concatenated in shard order, equals ``deduplicate`` on
the same folder byte for byte. Ray is imported only when a run starts (extra ``ray``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._source import OnError
from ._typing import PathLike
from .backends import Backend, get_backend
from .config import BoilerplateConfig, DuplicateConfig, Keep, Similarity, Verify, check_choice, check_int
from .errors import ConfigError
from .results import ShardRun

__all__ = ["deduplicate_shards"]

_NEAR_REFUSED = (
    "near boilerplate (BoilerplateConfig.near_threshold, --near-boilerplate) is not available on the sharded "
    "Ray run: near-exact grouping learns its representatives batch by batch in input order, so shards "
    "cannot be counted apart and merged; leave near_threshold=None, or run dedupe.deduplicate() on the folder"
)


def deduplicate_shards(
    source: PathLike | Sequence[PathLike],
    output: PathLike,
    *,
    text_field: str = "text", id_field: str | None = None, group_field: str | None = None,
    on_error: OnError = "raise", max_chars: int = 50_000_000,
    threshold: float = 0.8, similarity: Similarity = "jaccard", keep: Keep | None = None,
    verify: Verify = "auto", exact_margin: float = 0.15, num_perm: int = 128, ngram_size: int = 5, seed: int = 1,
    remove_boilerplate: bool = True, boilerplate: BoilerplateConfig | None = None,
    backend: str | Backend = "ray",
) -> ShardRun:  # fmt: skip
    """Deduplicate a folder (or a list) of shards on Ray; workers write ``output/<shard name>`` for each.

    The options mean what they mean for :func:`dedupe.deduplicate`. ``output`` (a folder that
    does not exist or is empty) receives one file per shard, with the shard's name and format,
    holding its kept records, cleaned; ``_duplicates/<stem>.jsonl`` and ``_rejects/<stem>.jsonl``
    per shard; and ``_report.json``. Concatenated in shard order, the kept shards, duplicates and
    rejects equal ``deduplicate(folder, ...)``'s ``write``, ``write_duplicates`` and
    ``write_rejects`` on the same folder, byte for byte. No text, signature or id passes through
    the driver. ``dedupe clean SHARDS/ -o OUT/ --backend ray`` calls this.

    >>> from dedupe.backends import get_backend
    >>> with get_backend("ray", address="auto") as ray_backend:  # doctest: +SKIP
    ...     run = deduplicate_shards("crawl/", "clean/", id_field="url", backend=ray_backend)
    >>> print(run.summary())  # doctest: +SKIP
    1,000,000 in = 871,204 kept + 120,512 duplicates (...) + 8,284 rejected; ...

    Args:
        source: a folder of ``.jsonl``, ``.jsonl.gz``/``.zst`` or ``.parquet`` shards, taken in
            file-name order (the local reader's order), or a list of such files in the order given
            (distinct file names).
        output: the output folder.
        backend: ``"ray"`` (a local Ray instance, or the running one; closed at the end) or a
            :class:`~dedupe.backends.ray.RayBackend` (``get_backend("ray", address=...)``; left open).

    Returns:
        A :class:`~dedupe.results.ShardRun`: counts per shard and in total (kept + duplicates +
        rejected = input, checked for every shard), timings, what the driver held.

    Raises:
        ConfigError: a bad option; an output folder that is not empty; ``.txt`` shards; options this
            run does not have: ``keep="longest"``, ``similarity="containment"``, near boilerplate.
        MissingDependencyError: the ``ray`` extra is not installed.
        InputError: a bad record, with ``on_error="raise"``; a missing path.
        BackendError: a stage failed on Ray, or the per-shard accounting does not add up.
    """
    from .backends.ray_shards import plan_shards, prepare_output

    params = _checked(
        threshold=threshold, similarity=similarity, keep=keep, verify=verify, exact_margin=exact_margin,
        num_perm=num_perm, ngram_size=ngram_size, seed=seed, max_chars=max_chars, on_error=on_error,
        remove_boilerplate=remove_boilerplate, boilerplate=boilerplate,
    )  # fmt: skip
    if not isinstance(backend, (str, Backend)):
        raise TypeError(f"backend must be 'ray' or a RayBackend (got {type(backend).__name__})")
    if (backend if isinstance(backend, str) else backend.name) != "ray":
        got = repr(backend) if isinstance(backend, str) else type(backend).__name__
        raise ConfigError(
            f"deduplicate_shards runs on Ray: backend must be 'ray' or a RayBackend (got {got}); "
            "dedupe.deduplicate(folder) runs a folder of shards on the local backend"
        )
    plan = plan_shards(source, text_field=text_field, id_field=id_field, on_error=on_error, group_field=group_field)
    out = prepare_output(output)
    engine = get_backend("ray") if isinstance(backend, str) else backend
    try:
        from .backends.ray import RayBackend
        from .backends.ray_pipeline import run_shards

        if not isinstance(engine, RayBackend):
            raise ConfigError(f"deduplicate_shards needs a RayBackend (got {type(engine).__name__})")
        return run_shards(plan, out, engine, params)
    finally:
        if isinstance(backend, str):
            engine.close()


def _checked(
    *, threshold: float, similarity: Similarity, keep: Keep | None, verify: Verify, exact_margin: float,
    num_perm: int, ngram_size: int, seed: int, max_chars: int, on_error: str, remove_boilerplate: bool,
    boilerplate: BoilerplateConfig | None,
) -> dict[str, Any]:  # fmt: skip
    """The run's parameters, checked as :func:`dedupe.deduplicate` checks them (the report records them)."""
    config = DuplicateConfig.from_options(
        threshold=threshold, similarity=similarity, keep=keep, verify=verify, exact_margin=exact_margin,
        num_perm=num_perm, ngram_size=ngram_size, seed=seed,
    )  # fmt: skip
    if config.similarity != "jaccard" or config.keep != "first":
        raise ConfigError(
            f"similarity={config.similarity!r} with keep={config.keep!r} is not available on the sharded Ray run "
            "(it has similarity='jaccard', keep='first'); run dedupe.deduplicate() on the folder"
        )
    check_int("ngram_size", ngram_size, low=1, high=64)
    check_int("max_chars", max_chars, low=1)
    check_choice("on_error", on_error, ("raise", "reject"))
    if boilerplate is not None and not isinstance(boilerplate, BoilerplateConfig):
        raise TypeError(f"boilerplate must be a BoilerplateConfig (got {type(boilerplate).__name__})")
    bp = (boilerplate or BoilerplateConfig()) if remove_boilerplate else None
    if bp is not None and bp.near_threshold is not None:
        raise ConfigError(_NEAR_REFUSED)
    return {"threshold": threshold, "remove_boilerplate": remove_boilerplate, "boilerplate": bp,
            "num_perm": num_perm, "ngram_size": ngram_size, "seed": seed, "verify": verify,
            "exact_margin": exact_margin, "max_chars": max_chars, "keep": "first",
            "similarity": "jaccard"}  # fmt: skip


def clean_shards(args: Any, *, say: Any) -> int:
    """``dedupe clean SHARDS/ -o OUT/ --backend ray``: the CLI's entry point (OUT is a folder)."""
    unsupported = [flag for flag, on in (("--duplicates", args.duplicates), ("--rejects", args.rejects),
                   ("--report", args.report), ("--plots", args.plots),
                   ("--near-boilerplate", args.near_boilerplate), ("--keep longest", args.keep == "longest"),
                   ("--similarity containment", args.similarity == "containment")) if on]  # fmt: skip
    if unsupported:
        raise ConfigError(
            f"{', '.join(unsupported)}: not available with --backend ray on a folder of shards "
            f"(duplicates, rejects and report go to {args.output}/_duplicates, _rejects, _report.json)"
        )
    with get_backend("ray", address=args.address, progress=not args.quiet) as engine:
        run = deduplicate_shards(
            args.input, args.output, backend=engine, threshold=args.threshold,
            remove_boilerplate=not args.no_boilerplate, text_field=args.text_field, id_field=args.id_field,
            group_field=args.group_field, on_error=args.on_error, num_perm=args.num_perm,
        )  # fmt: skip
    say(run.summary())
    return 0
