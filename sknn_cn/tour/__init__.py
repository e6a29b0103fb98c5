"""The tour of the chapter: ``python -m sknn_cn`` runs every part of the seed end to end.

Sections (seed section in brackets), in the chapter's order, one module per
group:

:mod:`.toy`
    1. ``xor``         XOR with a 2-2-1 network: boundary and hidden space (1.1.1, 1.1.4)
    2. ``double_arc``  double arc: boundary, hidden space in 2-D and 3-D, snapshots
                       during training, training curves (1.1.5)
    3. ``coin_hole``   coin with a square hole, 3 classes: regions and the 3-unit
                       hidden space (1.2)
:mod:`.evaluation`
    4. ``evaluation``  the seed's worked example and a full evaluation report (per
                       class, kappa, Weka's errors, ROC, confusion matrix) (1.1.2)
:mod:`.imbalance`
    5. ``imbalance``   19:1 data: accuracy vs AUC, class weights, samplers, ratios,
                       a tuned threshold and Schapire boosting (1.3)
:mod:`.digits`
    6. ``mnist``       the seed's net (sigmoid, tanh, softmax): 784-64-16-10 on MNIST
                       from the data home, else 64-64-16-10 on sklearn's 8x8 digits
                       (the name is read from the fitted weights) (1.4.1, 1.4.2)
    7. ``gradcheck``   the gradient check (1.4.3)
:mod:`.learning_rate`
    8. ``lr_finder``   the learning-rate range test and its usable range (1.4.4.1)
    9. ``schedules``   the six learning-rate schedules compared (1.4.4.2)
    10. ``batch_lr``   an lr x batch-size grid on the bundled digits, and growing
                       the batch instead of decaying the rate (1.4.4.3)

:mod:`.engine` runs them, prints a short table per section as it goes and
writes the pictures (PNG), ``index.md`` (a Markdown page with every table and
picture) and ``summary.json`` (the numbers) into the output folder;
:mod:`.figures` draws the pictures no Display of :mod:`sknn_cn.plotting` draws.
``--quick`` uses small data and few epochs (for CI).  A section that fails is
reported and the others still run; the exit status is 1 then.
"""

import argparse
import os
import sys

from . import digits, evaluation, imbalance, learning_rate, toy
from .engine import Section, TourReport

__all__ = ["SECTIONS", "CONTENTS", "Section", "run_tour", "main"]

#: the table of contents: key -> Section(title, seed sections, run(report))
CONTENTS = {
    "xor": Section("XOR with a 2-2-1 network", "1.1.1, 1.1.4", toy.xor),
    "double_arc": Section("Double arc: boundary and hidden space", "1.1.5",
                          toy.double_arc),
    "coin_hole": Section("Coin with a square hole, 3 classes", "1.2", toy.coin_hole),
    "evaluation": Section("Evaluating a classifier", "1.1.2", evaluation.evaluation),
    "imbalance": Section("Imbalanced classes, 19:1", "1.3", imbalance.imbalance),
    "mnist": Section("The seed's digit network (784-64-16-10 on MNIST)", "1.4.1, 1.4.2",
                     digits.mnist),
    "gradcheck": Section("Gradient check", "1.4.3", digits.gradcheck),
    "lr_finder": Section("Learning-rate range test", "1.4.4.1", learning_rate.lr_finder),
    "schedules": Section("The six learning-rate schedules", "1.4.4.2",
                         learning_rate.schedules),
    "batch_lr": Section("Batch size against learning rate", "1.4.4.3",
                        learning_rate.batch_lr),
}

SECTIONS = tuple(CONTENTS)


def run_tour(out="tour_out", *, quick=False, sections=None, random_state=0,
             stream=None, blas_threads=1):
    """Run the tour; write PNGs, ``index.md`` and ``summary.json`` into ``out``.

    Parameters
    ----------
    out : str, default='tour_out'
        Output folder (created).
    quick : bool, default=False
        Small data and few epochs (for CI).
    sections : sequence of str, optional
        A subset of :data:`SECTIONS`, run in the order given.
    random_state : int, default=0
    stream : file, default=sys.stdout
        Where progress and tables go.
    blas_threads : int or None, default=1
        BLAS threads for the whole tour (None: the library default).

    Returns
    -------
    summary : dict
        What ``summary.json`` holds: ``quick``, ``random_state``,
        ``total_seconds``, ``sections`` (status, seconds, images, error of
        each) and ``results`` (each section's numbers).
    """
    import matplotlib

    matplotlib.use("Agg")  # the tour only writes files
    keys = list(SECTIONS if sections is None else sections)
    unknown = [k for k in keys if k not in CONTENTS]
    if unknown:
        raise ValueError(f"Unknown sections {unknown}; choose from {list(SECTIONS)}.")
    os.makedirs(out, exist_ok=True)
    report = TourReport(out, quick, random_state, stream or sys.stdout)
    # The matrices here are small: one BLAS thread is fastest, and on a busy
    # machine spinning BLAS threads slow everything down several times.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=blas_threads, user_api="blas"):
        return report.run(CONTENTS, keys)


def main(argv=None):
    """Command line: ``python -m sknn_cn [--quick] [--out DIR] [--only S ...]``."""
    parser = argparse.ArgumentParser(
        prog="python -m sknn_cn",
        description="A tour of the chapter: XOR, double arc, coin hole, evaluation, "
                    "imbalance, MNIST, gradient check, LR finder, schedules and batch "
                    "size. Writes PNGs, index.md and summary.json into --out.")
    parser.add_argument("--out", default="tour_out",
                        help="output folder (default: ./tour_out)")
    parser.add_argument("--quick", action="store_true",
                        help="small data and few epochs (CI)")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, metavar="SECTION",
                        help=f"run only these sections: {', '.join(SECTIONS)}")
    parser.add_argument("--seed", type=int, default=0, help="random_state (default 0)")
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="BLAS threads (default 1: fastest for these small "
                             "matrices, and polite on a shared machine)")
    args = parser.parse_args(argv)
    summary = run_tour(args.out, quick=args.quick, sections=args.only,
                       random_state=args.seed, blas_threads=args.blas_threads)
    failed = [k for k, s in summary["sections"].items() if s["status"] == "failed"]
    return 1 if failed else 0
