"""The tour (python -m sknn_cn) runs end to end in quick mode and writes its files.

Its captions are claims about its own numbers: these tests hold them on the
bundled digits (what every new user gets, an empty data home) on every run, and
on real MNIST when ``SKNN_CN_TEST_MNIST`` names a data home holding ``mnist/``
(e.g. ``SKNN_CN_TEST_MNIST=/work/mnist_data``); skipped with the reason otherwise.
"""

import io
import json
import math
import os
import re
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import pytest  # noqa: E402

from sknn_cn import tour  # noqa: E402
from sknn_cn.datasets import load_handwritten_digits  # noqa: E402

# One pytest-xdist worker runs this file, so the quick tour (module fixture) runs once.
pytestmark = pytest.mark.xdist_group("tour")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """The quick tour as a new user runs it: an empty data home, so no MNIST."""
    out = tmp_path_factory.mktemp("tour")
    empty_home = tmp_path_factory.mktemp("empty_data_home")
    stream = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SKNN_CN_DATA", str(empty_home))
        summary = tour.run_tour(str(out), quick=True, stream=stream)
    return out, summary, stream.getvalue()


def test_quick_tour_runs_every_section(quick_run):
    out, summary, printed = quick_run
    assert list(summary["sections"]) == list(tour.SECTIONS)
    for key in tour.SECTIONS:
        assert summary["sections"][key]["status"] == "ok", (
            key, summary["sections"][key]["error"])
    # progress and tables were printed as it went
    for i, key in enumerate(tour.SECTIONS, 1):
        assert f"[{i}/{len(tour.SECTIONS)}]" in printed
    assert "x1 XOR x2" in printed and "Done in" in printed


def test_quick_tour_writes_pictures_and_index(quick_run):
    out, summary, _ = quick_run
    index = (out / "index.md").read_text(encoding="utf-8")
    images = [img for s in summary["sections"].values() for img in s["images"]]
    assert len(images) >= 15
    for name in images:
        path = out / name
        assert path.stat().st_size > 5000, name
        pixels = mpimg.imread(path)
        assert pixels.ndim == 3 and min(pixels.shape[:2]) > 200, name
        assert f"]({name})" in index, name
    # every picture on disk is on the page
    assert sorted(p for p in os.listdir(out) if p.endswith(".png")) == sorted(images)
    assert index.startswith("# sknn_cn: a tour of the chapter")
    assert len(re.findall(r"^## ", index, flags=re.M)) == len(tour.SECTIONS)
    # run_tour returns exactly what it wrote (NaN-safe comparison through JSON text)
    on_disk = json.loads((out / "summary.json").read_text())
    assert json.dumps(on_disk, sort_keys=True) == json.dumps(summary, sort_keys=True)


def test_quick_tour_numbers(quick_run):
    _, summary, _ = quick_run
    results = summary["results"]
    assert results["xor"]["accuracy"] == 1.0            # XOR is solved
    seed = results["evaluation"]["seed_example"]        # seed 1.1.2
    assert {k: round(v, 3) for k, v in seed.items()} == {
        "accuracy": 0.956, "precision": 0.972, "recall": 0.947, "fpr": 0.033,
        "f1": 0.959}
    assert results["mnist"]["persistence_round_trip_identical"] is True
    assert results["mnist"]["data"] == "sklearn digits (8x8)"
    assert results["mnist"]["network"] == "64-64-16-10"
    assert results["mnist"]["test_accuracy"] >= 0.90
    assert set(results["schedules"]["schedules"]) == {
        "fixed", "step", "multistep", "exp", "inv", "poly"}
    # the plain MLP is the one that misses the minority most often (seed 1.3.1.2)
    models = results["imbalance"]["models"]
    assert models["plain MLP"]["tpr"] < models["class_weight='balanced'"]["tpr"]
    assert models["plain MLP"]["accuracy"] > 0.9
    # the hook prints the accuracy keys of "results"
    assert any("acc" in key for section in results.values() for key in section)


def _index(out):
    return (out / "index.md").read_text(encoding="utf-8")


def test_xor_caption_names_the_corners_that_land_together(quick_run):
    out, summary, _ = quick_run
    xor = summary["results"]["xor"]
    assert xor["accuracy"] == 1.0
    pair = set(xor["hidden_space_together"])
    # the two corners of one class (XOR truth table), as the caption says
    assert pair in ({"(0,1)", "(1,0)"}, {"(0,0)", "(1,1)"})
    assert xor["hidden_space_together_same_class"] is True
    cls = 1 if pair == {"(0,1)", "(1,0)"} else 0
    a, b = sorted(pair)
    index = _index(out)
    assert f"the class-{cls} corners {a} -> " in index
    assert f") and {b} -> (" in index


def test_double_arc_pictures_come_from_solved_nets(quick_run):
    out, summary, _ = quick_run
    accs = summary["results"]["double_arc"]["test_accuracy"]
    assert accs["2-2-1"] >= 0.97 and accs["2-3-1"] >= 0.97
    assert _index(out).count("the problem is solved (>= 0.97)") >= 3
    assert "NOT solved" not in _index(out)
    assert summary["results"]["coin_hole"]["test_accuracy"] >= 0.93


def test_without_mnist_the_digits_are_used_and_the_tour_says_so_once(quick_run):
    out, summary, printed = quick_run
    assert summary["results"]["mnist"]["data"] == "sklearn digits (8x8)"
    assert printed.count("python -m sknn_cn.datasets fetch mnist") == 1
    assert "MNIST is not in " in _index(out)
    assert "784-64-16-10" in printed           # what changes with MNIST


def test_gradient_check_counts_labels_and_verdicts(quick_run):
    out, summary, _ = quick_run
    g = summary["results"]["gradcheck"]
    n_params = 64 * 64 + 64 + 64 * 16 + 16 + 16 * 10 + 10        # 64-64-16-10
    assert g["n_parameters"] == n_params
    assert g["n_checked"] == n_params        # quick mode on digits checks them all
    assert f"{n_params:,} of the {n_params:,} parameters checked" in _index(out)
    assert "51,450" not in _index(out)
    assert len(g["results"]) == 3
    assert all(r["verdict"] == "correct" and r["passed"] for r in g["results"].values())
    assert all(r["n_checked"] == n_params for r in g["results"].values())
    # the bars are drawn layer by layer and labelled in that same order
    assert g["bar_labels"] == ["W1", "b1", "W2", "b2", "W3", "b3"]
    # the relu row is 'correct' because no pre-activation is within h of the kink
    assert g["relu_min_abs_preactivation"] > 1e-5
    assert g["relu_kink_crossed"] is False
    # a unit put on its kink on purpose does move the difference out of 'correct'
    assert g["kink_illustration"]["diff"] > 1e-7
    assert g["kink_illustration"]["verdict"] in _index(out)


def test_lr_finder_suggestion_trains_and_too_high_does_not(quick_run):
    out, summary, _ = quick_run
    lr = summary["results"]["lr_finder"]
    assert lr["default_suggestion_test_accuracy"] >= 0.80
    # the caption calls it "visibly worse" below the suggestion by more than 0.05
    assert lr["too_high_test_accuracy"] < lr["default_suggestion_test_accuracy"] - 0.05
    assert "visibly worse" in _index(out)
    assert all(1e-4 <= v <= 10 for v in lr["suggestions"].values())
    lr_min, lr_max = lr["usable_range"]
    assert 1e-4 <= lr_min < lr_max <= 10
    assert f"{lr_min:.3g} to {lr_max:.3g}" in _index(out)


def test_schedules_are_trained_and_the_caption_says_what_the_table_shows(quick_run):
    out, summary, _ = quick_run
    sched = summary["results"]["schedules"]
    for key, r in sched["schedules"].items():
        assert r["final_loss"] < 0.5, key                 # far below ln 10 = 2.30
        assert r["test_accuracy"] >= 0.85, key
        assert len(r["test_accuracies"]) >= 2, key
    expected = ("really ahead of the worst" if sched["ranked"] else
                "does NOT rank the schedules")
    assert expected in _index(out)


def test_imbalance_comments_on_every_remedy(quick_run):
    out, summary, _ = quick_run
    models = summary["results"]["imbalance"]["models"]
    assert len(models) == 9
    assert {"under-sampling to 1:2 (ratio 0.5)", "over to 1:2, then under to 1:1",
            "plain MLP + tuned threshold", "Schapire boosting (1.3.1.4)"} <= set(models)
    index = _index(out)
    for name, r in models.items():
        # one sentence per remedy, with its own recall and AUC
        assert f"{name}: " in index, name
        assert f"AUC {r['auc']:.3f}" in index, name
    assert "L2 and L3 both" in index                 # Schapire's numbers explained
    assert models["under-sampling to 1:2 (ratio 0.5)"]["tpr"] > models["plain MLP"]["tpr"]


def test_batch_size_against_learning_rate_section(quick_run):
    out, summary, _ = quick_run
    b = summary["results"]["batch_lr"]
    assert list(b["best_lrs"]) == ["8", "32", "128"]
    assert len(b["verdicts"]) == 2
    assert b["best_test_acc"] >= 0.85
    # the best rate does not fall as the batch grows (same epochs for every cell)
    lrs = list(b["best_lrs"].values())
    assert lrs == sorted(lrs)
    assert "batch_lr_grid.png" in summary["sections"]["batch_lr"]["images"]


def test_batch_growth_against_the_equivalent_lr_decay(quick_run):
    out, summary, _ = quick_run
    b = summary["results"]["batch_lr"]
    runs = b["growth_vs_decay"]
    assert list(runs) == ["fixed (the best cell)", "lr decay", "batch growth"]
    n = len(load_handwritten_digits(dataset="digits").y_train)     # 1347
    epochs, milestones = 6, b["growth_milestones"]
    lr, batch = runs["fixed (the best cell)"]["lr"], runs["fixed (the best cell)"]["batch"]
    assert milestones == [2, 4]
    for r in runs.values():                   # the same epochs and start for all
        assert (r["epochs"], r["lr"], r["batch"]) == (epochs, lr, batch)
        assert 0.0 <= r["test_accuracy"] <= 1.0
    # closed forms: the decay divides the rate by 5 at each milestone; growth
    # multiplies the batch by 5 there, so epoch e has ceil(n / B(e)) updates
    assert runs["lr decay"]["final_lr"] == pytest.approx(lr / 25)
    assert runs["batch growth"]["final_lr"] == lr
    sizes = [min(batch * 5 ** sum(m <= e for m in milestones), n) for e in range(epochs)]
    assert runs["batch growth"]["final_batch"] == sizes[-1]
    assert runs["batch growth"]["updates"] == sum(math.ceil(n / s) for s in sizes)
    assert runs["lr decay"]["updates"] == epochs * math.ceil(n / batch)
    assert runs["batch growth"]["updates"] < runs["lr decay"]["updates"]
    # the caption says what the numbers say
    d = b["growth_minus_decay"]
    assert d["difference"] == pytest.approx(
        runs["batch growth"]["test_accuracy"] - runs["lr decay"]["test_accuracy"])
    assert b["growth_matches_decay"] is (abs(d["difference"]) <= 2 * d["standard_error"])
    index = _index(out)
    g = runs["batch growth"]
    assert (f"Batch growth ends at test accuracy {g['test_accuracy']:.3f} with "
            f"{g['updates']} updates") in index
    assert ("is within twice its standard error" in index) is b["growth_matches_decay"]


_MNIST_HOME = os.environ.get("SKNN_CN_TEST_MNIST")


@pytest.mark.skipif(not _MNIST_HOME, reason="set SKNN_CN_TEST_MNIST to a data home "
                    "holding mnist/ (real MNIST) to check the tour's MNIST path")
def test_quick_tour_on_real_mnist(tmp_path, monkeypatch):
    monkeypatch.setenv("SKNN_CN_DATA", _MNIST_HOME)
    summary = tour.run_tour(str(tmp_path), quick=True,
                            sections=["mnist", "gradcheck", "lr_finder"],
                            stream=io.StringIO())
    results = summary["results"]
    assert results["mnist"]["data"] == "MNIST"
    assert results["mnist"]["network"] == "784-64-16-10"
    assert results["mnist"]["test_accuracy"] >= 0.90
    assert all(r["verdict"] == "correct" and r["passed"]
               for r in results["gradcheck"]["results"].values())
    assert results["lr_finder"]["default_suggestion_test_accuracy"] >= 0.80
    assert (results["lr_finder"]["too_high_test_accuracy"]
            < results["lr_finder"]["default_suggestion_test_accuracy"] - 0.05)


def test_failing_section_is_reported_and_others_run(tmp_path, monkeypatch):
    def broken(report):
        raise RuntimeError("boom")

    monkeypatch.setitem(tour.CONTENTS, "xor", tour.CONTENTS["xor"]._replace(run=broken))
    code = tour.main(["--quick", "--only", "xor", "evaluation", "--out", str(tmp_path)])
    assert code == 1
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["sections"]["xor"]["status"] == "failed"
    assert "boom" in summary["sections"]["xor"]["error"]
    assert summary["sections"]["evaluation"]["status"] == "ok"
    assert "**Failed:**" in (tmp_path / "index.md").read_text(encoding="utf-8")


def test_command_line(tmp_path):
    with pytest.raises(ValueError, match="Unknown sections"):
        tour.run_tour(str(tmp_path), sections=["nope"])
    with pytest.raises(SystemExit):
        tour.main(["--only", "nope"])
    done = subprocess.run([sys.executable, "-m", "sknn_cn", "--help"],
                          capture_output=True, text=True, check=True)
    assert "--quick" in done.stdout and "--out" in done.stdout
