"""dedupe: near-duplicate documents and repeated boilerplate in scraped text corpora.

>>> import dedupe
>>> sigs = dedupe.MinHasher(num_perm=64).signatures(["a b c d e f", "a b c d e g"])
>>> sigs.shape
(2, 64)
"""

from __future__ import annotations

from .config import MinHashConfig as MinHashConfig
from .config import ShingleConfig as ShingleConfig
from .errors import ConfigError as ConfigError
from .errors import DedupeError as DedupeError
from .errors import IncompatibleSignaturesError as IncompatibleSignaturesError
from .errors import InputError as InputError
from .errors import MissingDependencyError as MissingDependencyError
from .interop import from_datasketch as from_datasketch
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
    "IncompatibleSignaturesError",
    "InputError",
    "MinHashConfig",
    "MinHasher",
    "MissingDependencyError",
    "ShingleBatch",
    "ShingleConfig",
    "SignatureArray",
    "__version__",
    "char_shingles",
    "from_datasketch",
    "jaccard",
    "normalize_text",
    "to_datasketch",
    "word_shingles",
]
