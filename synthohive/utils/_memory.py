"""Check that an allocation fits in memory before making it.

Large outputs (a transformed matrix, ``n_samples`` generated rows) are sized first with
:func:`check_allocation`, which raises a typed error naming what was asked and what to do,
instead of a raw ``MemoryError`` from deep inside numpy or torch, or the machine swapping.
"""

from __future__ import annotations

import os
from pathlib import Path

from synthohive.exceptions import DataValidationError

__all__ = ["available_memory", "check_allocation"]

# Share of the available memory one allocation may take: decoding and copies need the rest.
_MAX_SHARE = 0.5


def available_memory() -> int | None:
    """Bytes of memory available to new allocations, or None when it cannot be read.

    Returns
    -------
    int or None
        ``MemAvailable`` of ``/proc/meminfo`` on Linux, else free physical pages times
        the page size, else the physical memory size; None where none is known.
    """
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    for pages in ("SC_AVPHYS_PAGES", "SC_PHYS_PAGES"):
        if pages in os.sysconf_names and "SC_PAGE_SIZE" in os.sysconf_names:
            return int(os.sysconf(pages)) * int(os.sysconf("SC_PAGE_SIZE"))
    return None


def check_allocation(n_bytes: float, what: str, hint: str) -> None:
    """Raise before allocating ``n_bytes`` when that exceeds half of the available memory.

    Parameters
    ----------
    n_bytes : float
        Estimated size of the allocation.
    what : str
        What would be allocated (e.g. ``"the encoded table (60,000 x 50,011 floats)"``).
    hint : str
        What the caller can do instead (sample in chunks, fewer rows …).

    Raises
    ------
    DataValidationError
        If the allocation would take more than half of the available memory.
    """
    available = available_memory()
    if available is None or n_bytes <= _MAX_SHARE * available:
        return
    raise DataValidationError(
        f"{what} needs about {n_bytes / 2**30:.1f} GiB, more than half of the "
        f"{available / 2**30:.1f} GiB of memory available; {hint}"
    )
