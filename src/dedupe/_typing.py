"""Type aliases shared across modules."""

from __future__ import annotations

import os
from typing import Union

import numpy as np
from numpy.typing import NDArray

HashArray = NDArray[np.uint64]
OffsetArray = NDArray[np.int64]
Uint32Array = NDArray[np.uint32]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]
PathLike = Union[str, "os.PathLike[str]"]
