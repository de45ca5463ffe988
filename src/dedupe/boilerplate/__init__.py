"""Repeated boilerplate blocks inside a page and across pages, found as explainable spans.

One module a job:

* :mod:`.units`: the units decided on (lines, or the paragraphs of hard-wrapped text) and their keys;
* :mod:`.counts`: sorted ``uint64`` count tables, the evidence a model keeps;
* :mod:`.near`: near-exact groups of long blocks (MinHash over byte n-grams, the project's LSH keys);
* :mod:`.rules`: the reasons a unit is boilerplate, each rule a function;
* :mod:`.spans`: flagged units become :class:`BoilerplateSpan` blocks; removal and its blank lines;
* :mod:`.model`: :class:`BoilerplateModel` (fit, update, find, strip, save, load) and the one-call API.
"""

from .model import BoilerplateModel, find_boilerplate, strip_boilerplate
from .rules import REASONS, Reason
from .spans import BoilerplateSpan, remove_ranges

__all__ = [
    "REASONS",
    "BoilerplateModel",
    "BoilerplateSpan",
    "Reason",
    "find_boilerplate",
    "remove_ranges",
    "strip_boilerplate",
]
