"""dedupe: near-duplicate documents and repeated boilerplate in scraped text corpora.

The whole job is :func:`deduplicate` (``dedupe clean`` on the command line); its parts are
:class:`MinHasher`, :class:`LSHIndex`, :func:`find_duplicates` and :class:`BoilerplateModel`.
Configs live in :mod:`dedupe.config`, exceptions in :mod:`dedupe.errors`, the record types in
:mod:`dedupe.io` and the backends in :mod:`dedupe.backends`.

>>> import dedupe
>>> sigs = dedupe.MinHasher(num_perm=64).signatures(["a b c d e f", "a b c d e g"])
>>> sigs.shape
(2, 64)
"""

from __future__ import annotations

from .boilerplate import BoilerplateModel as BoilerplateModel
from .boilerplate import find_boilerplate as find_boilerplate
from .boilerplate import strip_boilerplate as strip_boilerplate
from .duplicates import DuplicateResult as DuplicateResult
from .duplicates import find_duplicates as find_duplicates
from .errors import ConfigError as ConfigError
from .errors import DedupeError as DedupeError
from .errors import InputError as InputError
from .interop import from_datasketch as from_datasketch
from .interop import to_datasketch as to_datasketch
from .io import read_corpus as read_corpus
from .io import write_corpus as write_corpus
from .lsh import LSHIndex as LSHIndex
from .minhash import MinHasher as MinHasher
from .minhash import jaccard as jaccard
from .normalize import normalize_text as normalize_text
from .pipeline import DedupResult as DedupResult
from .pipeline import deduplicate as deduplicate
from .shingles import word_shingles as word_shingles

__version__ = "0.1.0"

__all__ = [
    "BoilerplateModel",
    "ConfigError",
    "DedupResult",
    "DedupeError",
    "DuplicateResult",
    "InputError",
    "LSHIndex",
    "MinHasher",
    "__version__",
    "deduplicate",
    "find_boilerplate",
    "find_duplicates",
    "from_datasketch",
    "jaccard",
    "normalize_text",
    "read_corpus",
    "strip_boilerplate",
    "to_datasketch",
    "word_shingles",
    "write_corpus",
]
