"""The tour (python -m sknn_cn) runs end to end in quick mode and writes its files."""

import importlib.util
import io
import json
import os
import re
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import pytest  # noqa: E402

from sknn_cn import tour  # noqa: E402


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("tour")
    stream = io.StringIO()
    summary = tour.run_tour(str(out), quick=True, stream=stream)
    return out, summary, stream.getvalue()


def test_quick_tour_runs_every_section(quick_run):
    out, summary, printed = quick_run
    assert list(summary["sections"]) == list(tour.SECTIONS)
    statuses = {k: s["status"] for k, s in summary["sections"].items()}
    assert all(v in ("ok", "skipped") for v in statuses.values()), statuses
    # sections that need only this package's finished modules must really run
    must_run = ["xor", "double_arc", "coin_hole", "evaluation", "imbalance", "mnist",
                "schedules"]
    # the gradient check and LR finder run once their modules exist
    must_run += [key for key, module in (("gradcheck", "sknn_cn.gradcheck"),
                                         ("lr_finder", "sknn_cn.lr_finder"))
                 if importlib.util.find_spec(module) is not None]
    for key in must_run:
        assert statuses[key] == "ok", (key, summary["sections"][key]["error"])
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
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk["sections"] == summary["sections"]


def test_quick_tour_numbers(quick_run):
    _, summary, _ = quick_run
    results = summary["results"]
    assert results["xor"]["accuracy"] == 1.0            # XOR is solved
    seed = results["evaluation"]["seed_example"]        # seed 1.1.2
    assert {k: round(v, 3) for k, v in seed.items()} == {
        "accuracy": 0.956, "precision": 0.972, "recall": 0.947, "fpr": 0.033,
        "f1": 0.959}
    assert results["mnist"]["persistence_round_trip_identical"] is True
    assert results["mnist"]["test_accuracy"] > 0.5       # far above chance (0.1)
    if "results" in results.get("gradcheck", {}):          # seed 1.4.3 verdicts
        assert all(r["verdict"] == "correct" and r["passed"]
                   for r in results["gradcheck"]["results"].values())
    if "suggestions" in results.get("lr_finder", {}):      # seed 1.4.4.1
        lrs = list(results["lr_finder"]["suggestions"].values())
        assert len(lrs) >= 1 and all(1e-5 <= lr <= 10 for lr in lrs)
    assert set(results["schedules"]["schedules"]) == {
        "fixed", "step", "multistep", "exp", "inv", "poly"}
    # the plain MLP is the one that misses the minority most often (seed 1.3.1.2)
    models = results["imbalance"]["models"]
    assert models["plain MLP"]["tpr"] < models["class_weight='balanced'"]["tpr"]
    assert models["plain MLP"]["accuracy"] > 0.9


def test_mnist_falls_back_to_digits_and_says_so(tmp_path, monkeypatch):
    import sknn_cn.datasets as datasets

    def missing(*args, **kwargs):
        raise FileNotFoundError("no MNIST files here")

    monkeypatch.setattr(datasets, "load_mnist", missing)
    summary = tour.run_tour(str(tmp_path), quick=True, sections=["mnist"],
                            stream=io.StringIO())
    assert summary["sections"]["mnist"]["status"] == "ok"
    assert summary["results"]["mnist"]["data"] == "sklearn digits (8x8)"
    index = (tmp_path / "index.md").read_text(encoding="utf-8")
    assert "MNIST is not in the data home" in index


def test_failing_section_is_reported_and_others_run(tmp_path, monkeypatch):
    def broken(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(tour._Tour, "section_xor", broken)
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
