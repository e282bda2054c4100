"""Give memory freed by a replaced pass back to the operating system.

A recorded pass is 100,000+ small objects; when the Dashboard moves to another document the
old pass is freed, but the C allocator keeps most of the freed pages for later, so a kernel's
memory stays at its peak. On a server that hosts a whole class (``microgpt serve``) that peak
is paid once per student. glibc's ``malloc_trim`` returns the free pages: about 15 MB per
kernel after "christopher". Pure standard library (ctypes); a no-op where there is no glibc.
"""

from __future__ import annotations

import ctypes
import gc
import sys

__all__ = ["trim"]


def trim() -> bool:
    """Free cyclic garbage (the replaced charts' matplotlib figures are cycles), then return
    free heap pages to the operating system (glibc's ``malloc_trim(0)``).

    Returns whether the pages were returned (False off Linux, or with a C library without
    ``malloc_trim``). Takes tens of milliseconds: call it after a large structure was freed
    (a new document), not in a loop.
    """
    gc.collect()
    if not sys.platform.startswith("linux"):
        return False
    try:
        malloc_trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # e.g. musl: no malloc_trim
        return False
    malloc_trim.argtypes = [ctypes.c_size_t]
    malloc_trim.restype = ctypes.c_int
    malloc_trim(0)
    return True
