"""dedupe: near-duplicate documents and repeated boilerplate in scraped text corpora.

The whole job is :func:`deduplicate` (``dedupe clean`` on the command line), which returns a
:class:`CorpusResult`; :func:`deduplicate_shards` runs it on Ray with the records kept in their
shards (``dedupe clean SHARDS/ -o OUT/ --backend ray``). Its parts are :class:`MinHasher`,
:class:`LSHIndex`, :func:`find_duplicates` (a :class:`DuplicateResult`) and :class:`BoilerplateModel` (spans of
boilerplate, :class:`BoilerplateSpan`). The configs, the record types (:class:`Record`, :class:`Rejected`)
and every exception are exported here too; the result vocabulary is in :mod:`dedupe.results`, the
backends in :mod:`dedupe.backends`.

>>> import dedupe
>>> sigs = dedupe.MinHasher(num_perm=64).signatures(["a b c d e f", "a b c d e g"])
>>> sigs.shape
(2, 64)
"""

from __future__ import annotations

from ._deprecation import deprecated as _deprecated
from ._version import __version__ as __version__
from .boilerplate import BoilerplateModel as BoilerplateModel
from .boilerplate import BoilerplateSpan as BoilerplateSpan
from .boilerplate import find_boilerplate as find_boilerplate
from .boilerplate import strip_boilerplate as strip_boilerplate
from .config import BoilerplateConfig as BoilerplateConfig
from .config import DuplicateConfig as DuplicateConfig
from .config import LSHConfig as LSHConfig
from .config import MinHashConfig as MinHashConfig
from .config import ShingleConfig as ShingleConfig
from .duplicates import find_duplicates as find_duplicates
from .errors import BackendError as BackendError
from .errors import ConfigError as ConfigError
from .errors import CorruptFileError as CorruptFileError
from .errors import DedupeError as DedupeError
from .errors import IncompatibleSignaturesError as IncompatibleSignaturesError
from .errors import InputError as InputError
from .errors import MissingDependencyError as MissingDependencyError
from .interop import from_datasketch as from_datasketch
from .interop import to_datasketch as to_datasketch
from .io import Record as Record
from .io import Rejected as Rejected
from .io import read_corpus as read_corpus
from .io import write_corpus as write_corpus
from .lsh import LSHIndex as LSHIndex
from .minhash import MinHasher as MinHasher
from .minhash import jaccard as estimated_jaccard
from .normalize import normalize_text as normalize_text
from .pipeline import CorpusResult as CorpusResult
from .pipeline import deduplicate as deduplicate
from .results import DuplicateResult as DuplicateResult
from .sharded import deduplicate_shards as deduplicate_shards
from .shingles import word_shingles as word_shingles

__all__ = [
    "BackendError",
    "BoilerplateConfig",
    "BoilerplateModel",
    "BoilerplateSpan",
    "ConfigError",
    "CorpusResult",
    "CorruptFileError",
    "DedupeError",
    "DuplicateConfig",
    "DuplicateResult",
    "IncompatibleSignaturesError",
    "InputError",
    "LSHConfig",
    "LSHIndex",
    "MinHashConfig",
    "MinHasher",
    "MissingDependencyError",
    "Record",
    "Rejected",
    "ShingleConfig",
    "__version__",
    "deduplicate",
    "deduplicate_shards",
    "estimated_jaccard",
    "find_boilerplate",
    "find_duplicates",
    "from_datasketch",
    "normalize_text",
    "read_corpus",
    "strip_boilerplate",
    "to_datasketch",
    "word_shingles",
    "write_corpus",
]

#: Names of the first release: old name -> (new name, the object).
_DEPRECATED: dict[str, tuple[str, object]] = {
    "DedupResult": ("dedupe.CorpusResult", CorpusResult),
    "jaccard": ("dedupe.estimated_jaccard (it estimates from signatures)", estimated_jaccard),
}


def __getattr__(name: str) -> object:
    """The deprecated names of :data:`_DEPRECATED`, with a DeprecationWarning."""
    if name in _DEPRECATED:
        new, value = _DEPRECATED[name]
        _deprecated(f"dedupe.{name}", new)
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
