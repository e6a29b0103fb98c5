"""The tour's report engine: run sections, print as they go, write the pages.

A section is a function of one :class:`TourReport`; it trains, then says what
it found through the report (:meth:`~TourReport.note`,
:meth:`~TourReport.table`, :meth:`~TourReport.code`, :meth:`~TourReport.save`)
and records its numbers (:meth:`~TourReport.record`).  :meth:`TourReport.run`
runs the sections, keeps going past one that fails, and writes ``index.md``
(every table and picture on one page) and ``summary.json`` (the numbers).
``summary.json`` is written for readers and other programs; the tour never
reads it back: :meth:`~TourReport.run` returns the same dictionary.

Printing is this package's job (it is a command-line program); the library
modules it calls never print.  On a terminal, with ``rich`` installed (the
``progress`` extra) and scikit-learn >= 1.9, the long fits show
``sklearn.callback.ProgressBar`` (:meth:`TourReport.watch`); elsewhere (a
file, a pipe, CI) nothing changes.
"""

import datetime
import json
import os
import platform
import sys
import time
import traceback
import warnings
from typing import Callable, NamedTuple

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sknn_cn import __version__
from sknn_cn.report import format_cell, format_table
from sknn_cn.training import callbacks

from .figures import place_best_legends

__all__ = ["Section", "TourReport", "plain", "progress_bars_wanted"]


class Section(NamedTuple):
    """One entry of the tour's table of contents."""

    title: str
    seed: str                       # the seed sections it covers, e.g. "1.1.1, 1.1.4"
    run: Callable                   # run(report) -> None


def plain(value):
    """``value`` as plain Python (what ``json`` writes and reads back unchanged)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def progress_bars_wanted(stream):
    """Progress bars: ``stream`` is a terminal's stdout, rich and sklearn.callback exist."""
    if not (callbacks.SUPPORTED and stream is sys.stdout and stream.isatty()):
        return False
    try:
        import rich  # noqa: F401  (the ``progress`` extra; ProgressBar draws with it)
    except ImportError:
        return False
    return True


class TourReport:
    """What the sections write to: the printed log, index.md and summary.json.

    Parameters
    ----------
    out : str
        Output folder (must exist).
    quick : bool
        Small data and few epochs.
    random_state : int
        The seed every section starts from.
    stream : file
        Where progress and tables are printed.
    progress : bool or None, default=None
        Progress bars on the long fits (:meth:`watch`); None: when ``stream``
        is the terminal's standard output and ``rich`` is installed.
    """

    def __init__(self, out, quick, random_state, stream, progress=None):
        self.out = out
        self.quick = quick
        self.random_state = random_state
        self.stream = stream
        self.progress = progress_bars_wanted(stream) if progress is None else progress
        self.sections = []
        self.results = {}
        self.current = None
        self._cache = {}

    # -- what a section calls -------------------------------------------------
    def log(self, message=""):
        print(message, file=self.stream, flush=True)

    def watch(self, estimator, max_propagation_depth=1):
        """``estimator`` with a ``ProgressBar`` on its fits when :attr:`progress`.

        ``max_propagation_depth=0`` on a search draws one bar for all its fits
        instead of one bar per fit.
        """
        if self.progress:
            from sklearn.callback import ProgressBar

            estimator.set_callbacks(ProgressBar(max_propagation_depth))
        return estimator

    def note(self, text):
        """A paragraph for the index page (also printed)."""
        self.current["text"].append(text)
        self.log(f"    {text}")

    def table(self, headers, rows, title=None):
        """A table: printed with :func:`sknn_cn.report.format_table`, and on the page."""
        if title:
            self.log(f"    {title}")
        self.log(format_table(rows, headers, indent=4))
        self.current["tables"].append({
            "title": title, "headers": [str(h) for h in headers],
            "rows": [[format_cell(c) for c in row] for row in rows]})

    def code(self, text, title=None):
        """Preformatted text (e.g. the classification summary)."""
        self.current["code"].append({"title": title, "text": text})
        for line in text.splitlines():
            self.log(f"    {line}")

    def save(self, fig, name, caption):
        """Write ``fig`` as ``name`` (PNG) into the output folder, with its caption."""
        import matplotlib.pyplot as plt

        place_best_legends(fig)
        fig.savefig(os.path.join(self.out, name), dpi=100, bbox_inches="tight")
        plt.close(fig)
        self.current["images"].append({"file": name, "caption": caption})
        self.log(f"    -> {name}")

    def record(self, key, value):
        """Put a number (or a structure of them) into summary.json's ``results``."""
        self.results.setdefault(self.current["key"], {})[key] = plain(value)

    def cached(self, key, make):
        """``make()`` once per run; what several sections share (data, a model)."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    # -- the run ----------------------------------------------------------------
    def run(self, contents, keys):
        """Run ``contents[key].run(self)`` for each key; write the pages.

        Returns
        -------
        summary : dict
            What ``summary.json`` holds.
        """
        t_all = time.perf_counter()
        for i, key in enumerate(keys, 1):
            section = contents[key]
            self.current = {"key": key, "title": section.title, "seed": section.seed,
                            "text": [], "tables": [], "images": [], "code": [],
                            "status": "ok", "error": None}
            self.sections.append(self.current)
            self.log(f"[{i}/{len(keys)}] {section.title} (seed {section.seed})")
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                with warnings.catch_warnings():
                    # fixed epoch budgets: every section stops short on purpose
                    warnings.simplefilter("ignore", category=ConvergenceWarning)
                    section.run(self)
            except Exception as exc:  # report, keep going with the next section
                self.current["status"] = "failed"
                self.current["error"] = "".join(
                    traceback.format_exception_only(type(exc), exc)).strip()
                self.current["traceback"] = traceback.format_exc()
                self.log(f"    FAILED: {self.current['error']}")
            self.current["seconds"] = time.perf_counter() - t0
            self.current["cpu_seconds"] = time.process_time() - c0
            self.log(f"    ({self.current['status']}, {self.current['seconds']:.1f} s)")
        total = time.perf_counter() - t_all
        self._write_index(total)
        summary = {
            "quick": self.quick,
            "random_state": self.random_state,
            "total_seconds": total,
            "sections": {s["key"]: {"status": s["status"], "seconds": s["seconds"],
                                    "cpu_seconds": s["cpu_seconds"],
                                    "images": [i["file"] for i in s["images"]],
                                    "error": s["error"]}
                         for s in self.sections},
            "results": self.results,
        }
        summary = plain(summary)
        with open(os.path.join(self.out, "summary.json"), "w", encoding="utf-8") as fh:
            json.dump(summary, fh, indent=2)
        self.log(f"Done in {total:.1f} s: {os.path.join(self.out, 'index.md')}")
        return summary

    def _write_index(self, total_seconds):
        quick = " --quick" if self.quick else ""
        lines = [
            "# sknn_cn: a tour of the chapter",
            "",
            f"Generated by `python -m sknn_cn{quick}` on "
            f"{datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} "
            f"(sknn_cn {__version__}, NumPy {np.__version__}, Python "
            f"{platform.python_version()}) in {total_seconds:.1f} s"
            f"{'; quick mode: small data, few epochs' if self.quick else ''}.",
            "",
            "| # | section | seed | status | time |",
            "|---|---|---|---|---|",
        ]
        for i, s in enumerate(self.sections, 1):
            anchor = s["key"].replace("_", "-")
            lines.append(f"| {i} | [{s['title']}](#{anchor}) | {s['seed']} | "
                         f"{s['status']} | {s['seconds']:.1f} s |")
        for s in self.sections:
            lines += ["", f'<a id="{s["key"].replace("_", "-")}"></a>',
                      f"## {s['title']} (seed {s['seed']})", ""]
            if s["status"] == "failed":
                lines += [f"**Failed:** `{s['error']}`", ""]
            for para in s["text"]:
                lines += [para, ""]
            for t in s["tables"]:
                if t["title"]:
                    lines += [f"**{t['title']}**", ""]
                lines.append("| " + " | ".join(t["headers"]) + " |")
                lines.append("|" + "---|" * len(t["headers"]))
                for r in t["rows"]:
                    lines.append("| " + " | ".join(r) + " |")
                lines.append("")
            for c in s["code"]:
                if c["title"]:
                    lines += [f"**{c['title']}**", ""]
                lines += ["```", c["text"], "```", ""]
            for img in s["images"]:
                lines += [f"![{img['caption']}]({img['file']})", "",
                          f"*{img['caption']}*", ""]
        with open(os.path.join(self.out, "index.md"), "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
