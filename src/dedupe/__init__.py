"""dedupe: near-duplicate documents and repeated boilerplate in scraped text corpora.

>>> import dedupe
>>> sigs = dedupe.MinHasher(num_perm=64).signatures(["a b c d e f", "a b c d e g"])
>>> sigs.shape
(2, 64)
"""

from __future__ import annotations

from .config import LSHConfig as LSHConfig
from .config import MinHashConfig as MinHashConfig
from .config import ShingleConfig as ShingleConfig
from .duplicates import DuplicateResult as DuplicateResult
from .duplicates import find_duplicates as find_duplicates
from .errors import ConfigError as ConfigError
from .errors import DedupeError as DedupeError
from .errors import IncompatibleSignaturesError as IncompatibleSignaturesError
from .errors import InputError as InputError
from .errors import MissingDependencyError as MissingDependencyError
from .interop import from_datasketch as from_datasketch
from .io import Record as Record
from .io import Rejected as Rejected
from .io import read_corpus as read_corpus
from .io import write_corpus as write_corpus
from .lsh import LSHIndex as LSHIndex
from .interop import to_datasketch as to_datasketch
from .minhash import MinHasher as MinHasher
from .minhash import SignatureArray as SignatureArray
from .minhash import jaccard as jaccard
from .normalize import normalize_text as normalize_text
from .shingles import ShingleBatch as ShingleBatch
from .shingles import char_shingles as char_shingles
from .shingles import word_shingles as word_shingles

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "DedupeError",
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
    "ShingleBatch",
    "ShingleConfig",
    "SignatureArray",
    "__version__",
    "char_shingles",
    "find_duplicates",
    "from_datasketch",
    "jaccard",
    "normalize_text",
    "read_corpus",
    "to_datasketch",
    "word_shingles",
    "write_corpus",
]
