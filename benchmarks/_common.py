"""Helpers shared by the benchmark scripts.

Clocks, resident-memory readings, the facts about the machine that a timing
needs beside it (load, BLAS kernel and threads, environment variables that
change the kernel), plain-text tables and the final JSON line.

Nothing here trains or scores a model: the scripts call the library for that.
"""

import gc
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

__all__ = [
    "timed",
    "median",
    "rss_mb",
    "peak_rss_mb",
    "reset_peak_rss",
    "blas_info",
    "blas_env",
    "machine_info",
    "machine_notes",
    "source_info",
    "format_table",
    "fmt",
    "json_line",
]

#: Environment variables that change which BLAS kernel or how many threads
#: numpy's OpenBLAS (and torch's OpenMP / MKL) use.  OPENBLAS_CORETYPE and
#: OPENBLAS_L2_SIZE are set on some machines of this workplace to dodge bugs
#: of old OpenBLAS builds; they slow a current numpy.  Reported, never changed.
BLAS_ENV_VARS = (
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
)


# --------------------------------------------------------------------- clocks
def timed(function, *args, collect=True, **kwargs):
    """Run ``function(*args, **kwargs)`` once; return ``(seconds, result)``.

    ``collect=True`` runs the garbage collector first, outside the clock, so
    one implementation does not pay for another's garbage.
    """
    if collect:
        gc.collect()
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def median(values):
    """Median of the values that are not None (None when there are none)."""
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


# --------------------------------------------------------------------- memory
def _status_kib(field):
    """A ``VmXXX`` line of /proc/self/status in KiB, or None off Linux."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_mb():
    """Current resident set size in MB (10**6 bytes), None where unknown."""
    kib = _status_kib("VmRSS")
    return None if kib is None else kib * 1024 / 1e6


def peak_rss_mb():
    """Peak resident set size in MB since start or since :func:`reset_peak_rss`.

    VmHWM from /proc/self/status; elsewhere ``ru_maxrss`` (KiB on Linux,
    bytes on macOS), which cannot be reset.
    """
    kib = _status_kib("VmHWM")
    if kib is not None:
        return kib * 1024 / 1e6
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6


def reset_peak_rss():
    """Set the peak (VmHWM) back to the current RSS; True when it worked.

    Writing ``5`` to /proc/self/clear_refs does it (Linux >= 4.0), so that a
    measurement after loading the data sees only the training's own peak.
    """
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


# --------------------------------------------------------------------- machine
def blas_info():
    """The BLAS / OpenMP libraries loaded now, as threadpoolctl reports them.

    Each entry keeps ``user_api``, ``internal_api``, ``version``,
    ``architecture`` (the kernel OpenBLAS chose, e.g. 'SkylakeX' or
    'Haswell'), ``num_threads`` and ``prefix``.
    """
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover - threadpoolctl comes with sklearn
        return []
    keep = ("user_api", "internal_api", "version", "architecture",
            "threading_layer", "num_threads", "prefix")
    libraries = []
    for lib in threadpool_info():
        entry = {k: lib.get(k) for k in keep if lib.get(k) is not None}
        # which package shipped it: numpy.libs, scipy.libs, torch/lib, ...
        folder = os.path.basename(os.path.dirname(lib.get("filepath", "")))
        parent = os.path.basename(os.path.dirname(os.path.dirname(lib.get("filepath", ""))))
        entry["shipped_by"] = parent + "/" + folder if folder == "lib" else folder
        libraries.append(entry)
    return libraries


def blas_env():
    """The values of :data:`BLAS_ENV_VARS` (None for the unset ones)."""
    return {name: os.environ.get(name) for name in BLAS_ENV_VARS}


def machine_info():
    """Python, platform, cores, load average, library versions, BLAS."""
    import numpy

    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": (len(os.sched_getaffinity(0))
                        if hasattr(os, "sched_getaffinity") else os.cpu_count()),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "numpy": numpy.__version__,
        "blas": blas_info(),
        "blas_env": blas_env(),
    }
    info["source"] = source_info()
    for name in ("sklearn", "torch"):
        module = sys.modules.get(name)
        if module is not None:
            info[name] = module.__version__
    return info


def machine_notes(info, loadavg_after=None):
    """Human-readable lines about the load and the BLAS setup.

    ``loadavg_after`` (the load average at the end of the run) is reported
    too, and counts for the "busy" warning.
    """
    notes = []
    source = info.get("source") or {}
    if source:
        notes.append(f"code: git {source['commit']}" + (
            " + uncommitted changes in " + ", ".join(source["uncommitted"])
            if source["uncommitted"] else ""))
    one, five, fifteen = info["loadavg"]
    notes.append(f"load average {one} / {five} / {fifteen} (1/5/15 min) on "
                 f"{info['cpus_usable']} usable cores")
    if loadavg_after is not None:
        notes.append("load average after the run: "
                     + " / ".join(str(round(x, 2)) for x in loadavg_after))
    if max(one, loadavg_after[0] if loadavg_after else 0) > 0.5 * info["cpus_usable"]:
        notes.append("the machine is busy: timings are noisy (medians of "
                     "interleaved runs help, but compare ratios, not seconds)")
    for lib in info["blas"]:
        if lib.get("user_api") == "blas":
            notes.append(
                f"BLAS: {lib.get('internal_api')} {lib.get('version', '?')}, kernel "
                f"{lib.get('architecture', '?')}, {lib.get('num_threads')} threads by "
                f"default (from {lib.get('shipped_by')})"
            )
    env = {k: v for k, v in info["blas_env"].items() if v is not None}
    if env.get("OPENBLAS_CORETYPE") or env.get("OPENBLAS_L2_SIZE"):
        notes.append(
            "OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set ("
            + ", ".join(f"{k}={v}" for k, v in env.items())
            + "): OpenBLAS runs the named kernel, slower than the native one "
              "of a current numpy; the numbers above are for that kernel"
        )
    elif env:
        notes.append("BLAS environment: " + ", ".join(f"{k}={v}" for k, v in env.items()))
    else:
        notes.append("no BLAS environment variables set (OPENBLAS_CORETYPE, "
                     "OPENBLAS_L2_SIZE, *_NUM_THREADS)")
    return notes


def source_info(path="sknn_cn"):
    """The git commit of the tree and the uncommitted files under ``path``.

    Timings belong to the code that produced them; the lead may be changing
    the training loop while a benchmark runs.  Empty where git is missing.
    """
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                                capture_output=True, text=True, timeout=10)
        status = subprocess.run(["git", "status", "--porcelain", "--", path], cwd=root,
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return {}
    if commit.returncode != 0:
        return {}
    return {"commit": commit.stdout.strip(),
            "uncommitted": [line[3:] for line in status.stdout.splitlines()]}


# --------------------------------------------------------------------- output
def fmt(value, spec=".3f", none="-"):
    """Format a number, with ``none`` for None / NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return none
    return format(value, spec)


def format_table(headers, rows, align=None):
    """A plain-text table; ``align`` is a string of 'l' / 'r', one per column."""
    rows = [[str(cell) for cell in row] for row in rows]
    headers = [str(h) for h in headers]
    align = align or "l" + "r" * (len(headers) - 1)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(c.ljust(w) if a == "l" else c.rjust(w)
                         for c, w, a in zip(cells, widths, align)).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in rows)
    return "\n".join(out)


def _plain(value):
    """JSON-safe copy: numpy scalars to Python, NaN / inf to None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def json_line(payload):
    """One line of strict JSON (no NaN), for the last line of a script's output."""
    return json.dumps(_plain(payload), allow_nan=False, separators=(",", ":"))
