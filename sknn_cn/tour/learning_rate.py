"""Learning rates (seed 1.4.4): the range test, the six schedules, batch size vs rate."""

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedShuffleSplit

from sknn_cn import (BatchSizeSchedule, ExponentialSchedule, FixedSchedule,
                     InverseSchedule, MultiStepSchedule, MulticlassMLPClassifier,
                     PolynomialSchedule, StepSchedule, lr_range_test)
from sknn_cn.datasets import load_handwritten_digits
from sknn_cn.plotting import LRBatchGridDisplay, LRFinderDisplay
from sknn_cn.scaling import LRBatchGrid

from .digits import handwritten_digits
from .figures import schedules_figure

__all__ = ["lr_finder", "schedules", "batch_lr"]


def _seed_net(random_state, **params):
    """The seed's digit net (logistic, tanh, softmax) in float32, a fixed epoch budget."""
    return MulticlassMLPClassifier((64, 16), activation=("logistic", "tanh"),
                                   tol=0.0, n_iter_no_change=np.inf, dtype=np.float32,
                                   random_state=random_state, **params)


def lr_finder(report):
    """Seed 1.4.4.1 on the seed's net, then a check of the suggestions."""
    data = handwritten_digits(report)
    name = data.name
    n = 3000 if report.quick else 20000
    X_tr, y_tr = data.X_train[:n], data.y_train[:n]
    X_te, y_te = data.X_test[:2000], data.y_test[:2000]
    # SGD with momentum 0.9, batch 32: the range test runs as many updates as the
    # check below trains for (6 or 10 epochs), so its rates fit that budget
    epochs, batch = (6 if report.quick else 10), 32

    def net(lr=0.01, epochs=1):
        return _seed_net(report.random_state, solver="sgd", momentum=0.9,
                         learning_rate_init=lr, batch_size=batch, max_iter=epochs)

    n_steps = epochs * -(-len(y_tr) // batch)
    result = lr_range_test(report.watch(net()), X_tr, y_tr, min_lr=1e-4, max_lr=10.0,
                           n_steps=n_steps)
    suggestions = dict(result.suggestions)
    net_name = f"{X_tr.shape[1]}-64-16-{len(np.unique(y_tr))}"
    report.note(f"{name}, {len(y_tr)} training images, the {net_name} net with SGD "
                f"(momentum 0.9) and batch {batch}: {len(result.lrs)} mini-batches with "
                f"the learning rate growing from 1e-4 towards 10"
                f"{' (stopped when the loss blew up)' if result.diverged else ''}.")
    default = result.rule
    low = min(suggestions.values())
    lr_min = suggestions["minimum/10"] * 10       # where the smoothed loss is lowest
    candidates = {f"suggested ({rule}{', default' if rule == default else ''})": lr
                  for rule, lr in suggestions.items()}
    candidates["10x below the lowest suggestion"] = low / 10
    candidates["the loss minimum itself (too high)"] = lr_min
    rows, checked = [], {}
    for label, lr in candidates.items():
        if not np.isfinite(lr):
            continue
        acc = float(net(float(lr), epochs).fit(X_tr, y_tr).score(X_te, y_te))
        checked[label] = {"lr": float(lr), "test_accuracy": acc}
        rows.append([label, f"{lr:.3g}", acc])
    report.table(["learning rate", "value", f"test acc after {epochs} epochs"], rows,
                 title="Does the suggestion train well? The same net, trained from "
                       f"scratch at each rate for {epochs} epochs "
                       f"({n_steps} updates, as many as the range test)")
    key_default = next(k for k in checked if "default" in k)
    acc_default = checked[key_default]["test_accuracy"]
    acc_high = checked["the loss minimum itself (too high)"]["test_accuracy"]
    acc_low = checked["10x below the lowest suggestion"]["test_accuracy"]
    report.note(f"The default suggestion ({default}, lr {suggestions[default]:.3g}) "
                f"trains to test accuracy {acc_default:.3f} in {epochs} epochs; the rate "
                f"at the loss minimum of the range test ({lr_min:.3g}, 10x higher) ends "
                f"at {acc_high:.3f} ("
                + ("visibly worse: near the minimum the loss is about to blow up" if
                   acc_high < acc_default - 0.05 else "NOT visibly worse on this run")
                + f"); 10x below the lowest suggestion ends at {acc_low:.3f}"
                + (" (too slow for this budget)." if acc_low < acc_default - 0.05
                   else "."))
    has_range = bool(np.isfinite(result.lr_min) and np.isfinite(result.lr_max))
    report.note("The usable range (seed 1.4.4.1: where the smoothed loss makes the "
                "first and the last tenth of its fall): "
                + (f"{result.lr_min:.3g} to {result.lr_max:.3g}." if has_range else
                   "none, the smoothed loss does not fall on this run."))
    report.record("default_rule", default)
    report.record("default_suggestion_test_accuracy", acc_default)
    report.record("too_high_test_accuracy", acc_high)
    report.record("suggestions", suggestions)
    report.record("usable_range", [result.lr_min, result.lr_max])
    report.record("check", checked)
    labelled = {(f"{k} (default)" if k == result.rule else k): v
                for k, v in suggestions.items()}
    disp = LRFinderDisplay(result.lrs, result.smoothed_losses, suggestions=labelled,
                           raw_losses=result.losses,
                           lr_range=(result.lr_min, result.lr_max)).plot()
    disp.ax_.set_title(f"Learning-rate range test on {name} (Smith 2015)")
    report.save(disp.figure_, "lr_finder.png",
                "Smoothed mini-batch loss against the learning rate (log scale), with "
                "the three suggested rates"
                + (f" and the usable range {result.lr_min:.3g} to {result.lr_max:.3g} "
                   "shaded" if has_range else ""))


def schedules(report):
    """The six learning-rate schedules of seed 1.4.4.2, over several initialisations."""
    data = handwritten_digits(report)
    X_tr, X_te, y_tr, y_te, name = (data.X_train, data.X_test, data.y_train,
                                    data.y_test, data.name)
    if report.quick:
        X_tr, y_tr, X_te, y_te = X_tr[:2000], y_tr[:2000], X_te[:1000], y_te[:1000]
    # SGD with momentum 0.9 at the range test's rate (~0.1), trained to a low
    # loss; several initialisations, because the schedules differ by less than
    # one initialisation from the next
    epochs, batch, base_lr = (8 if report.quick else 30), 32, 0.1
    seeds = [report.random_state + k for k in range(2 if report.quick else 5)]
    T = epochs * -(-len(y_tr) // batch)           # total updates
    rules = {
        "fixed": (FixedSchedule(), "lr = base"),
        "step": (StepSchedule(step_size=T // 4, gamma=0.5),
                 f"x0.5 every {T // 4} updates"),
        "multistep": (MultiStepSchedule(milestones=(T // 2, 3 * T // 4, 9 * T // 10),
                                        gamma=0.3),
                      "x0.3 at 50 %, 75 %, 90 % of the run"),
        "exp": (ExponentialSchedule(gamma=0.01 ** (1 / T)),
                "base * gamma^t, 1 % at the end (eq. 5)"),
        "inv": (InverseSchedule(gamma=20.0 / T, power=0.5),
                "base / (1 + gamma t)^0.5 (eq. 6)"),
        "poly": (PolynomialSchedule(power=0.9), "base (1 - t/T)^0.9 (eq. 7)"),
    }
    steps = np.arange(T + 1)
    rows, results, lrs_by_key, curves = [], {}, {}, {}
    for key, (schedule, formula) in rules.items():
        accs, losses = [], []
        for seed in seeds:
            clf = _seed_net(seed, solver="sgd", momentum=0.9, learning_rate_init=base_lr,
                            lr_schedule=schedule, batch_size=batch,
                            max_iter=epochs).fit(X_tr, y_tr)
            accs.append(float(clf.score(X_te, y_te)))
            losses.append(float(clf.loss_curve_[-1]))
            if seed == seeds[0]:
                curves[key] = clf.loss_curve_
        lrs_by_key[key] = schedule.values(base_lr, steps, total_steps=T)
        results[key] = {"final_loss": float(np.mean(losses)),
                        "test_accuracy": float(np.mean(accs)),
                        "test_accuracy_std": float(np.std(accs, ddof=1)),
                        "test_accuracies": accs, "final_lr": float(lrs_by_key[key][-1])}
        rows.append([key, formula, f"{lrs_by_key[key][-1]:.3g}", float(np.mean(losses)),
                     float(np.mean(accs)), float(np.std(accs, ddof=1))])
    report.table(["schedule", "rule", "final lr", "final train loss (mean)",
                  "test acc (mean)", "sd over inits"], rows,
                 title=f"{name}, {len(y_tr)} training images, {epochs} epochs, "
                       f"batch {batch}, SGD momentum 0.9, base lr {base_lr}, "
                       f"T = {T} updates, random_state {seeds[0]}-{seeds[-1]}")
    means = {k: r["test_accuracy"] for k, r in results.items()}
    best, worst = max(means, key=means.get), min(means, key=means.get)
    # standard error of a difference of two means over len(seeds) inits
    pooled = float(np.sqrt(np.mean([r["test_accuracy_std"] ** 2
                                    for r in results.values()])))
    se_diff = pooled * np.sqrt(2 / len(seeds))
    gap = means[best] - means[worst]
    low_loss = min(results, key=lambda k: results[k]["final_loss"])
    report.note(
        f"Mean test accuracy over {len(seeds)} initialisations: best {best} "
        f"{means[best]:.3f}, worst {worst} {means[worst]:.3f}, a gap of {gap:.3f} "
        f"against {se_diff:.3f}, the standard error of a difference of two means "
        f"(sd between initialisations {pooled:.3f}). "
        + ("The gap is more than twice that error: on this data the best schedule "
           "is really ahead of the worst; the ones in between are not ranked."
           if gap > 2 * se_diff else
           "The gap is within twice that error: on this data and budget the table "
           "does NOT rank the schedules; it shows they all train the net.")
        + f" The lowest mean final training loss is {low_loss}'s "
        f"({results[low_loss]['final_loss']:.3f}; ln 10 = 2.303 is chance).")
    report.record("ranked", bool(gap > 2 * se_diff))
    report.record("schedules", results)
    fig = schedules_figure(steps, lrs_by_key, curves, means, curve_seed=seeds[0])
    report.save(fig, "schedules.png", "Learning rate and training loss per schedule")


def _stability_note(grid):
    """Where the best rate stops growing: what the next grid rate scored."""
    parts = []
    for i, b in enumerate(grid.batch_sizes):
        j = int(np.flatnonzero(grid.lrs == grid.best_lrs[i])[0])
        if j + 1 < grid.lrs.size:
            parts.append(f"batch {b}: lr {grid.lrs[j + 1]:g} scores "
                         f"{grid.scores[i, j + 1]:.3f}")
    return ("One grid rate above each best: " + ", ".join(parts)
            + " (chance is 0.1: a score near it means training blew up, a limit no "
              "scaling rule can pass)." if parts else "")


#: seed 1.4.4.3's growth: x5 at the milestones (Smith, Kindermans, Ying & Le 2017)
GROWTH_FACTOR = 5


def _growth_vs_decay(best, X_tr, X_te, y_tr, y_te, epochs, seeds):
    """Grow the batch or decay the rate, from the best cell, for the same epochs.

    Returns ``{name: {"lr", "final_lr", "batch", "final_batch", "epochs",
    "updates", "test_accuracy"}}`` (accuracy the mean over ``seeds``), ``{name:
    share of the seeds that got each test image right}`` and the schedule.
    Updates are counted in closed form, ``sum over epochs of ceil(n / batch)``,
    which is what ``fit`` makes over its whole epoch budget.
    """
    lr, batch, n = best.learning_rate_init, best.batch_size, len(y_tr)
    growth = BatchSizeSchedule(milestones=(epochs // 3, 2 * epochs // 3),
                               factor=GROWTH_FACTOR)
    decay = growth.equivalent_lr_schedule()
    runs = {"fixed (the best cell)": ({}, lr, batch, epochs * -(-n // batch)),
            "lr decay": ({"lr_schedule": decay}, decay(lr, epochs - 1), batch,
                         epochs * -(-n // batch)),
            "batch growth": ({"batch_size_schedule": growth}, lr,
                             growth(batch, epochs - 1, n),
                             growth.n_updates(batch, epochs, n))}
    out, correct = {}, {}
    for name, (params, final_lr, final_batch, updates) in runs.items():
        hits, n_iter = [], set()
        for seed in seeds:
            clf = clone(best).set_params(random_state=seed, **params).fit(X_tr, y_tr)
            hits.append(clf.predict(X_te) == y_te)
            n_iter.add(clf.n_iter_)
        correct[name] = np.mean(hits, axis=0)         # per test image, over seeds
        out[name] = {"lr": lr, "final_lr": final_lr, "batch": batch,
                     "final_batch": final_batch, "epochs": int(max(n_iter)),
                     "updates": updates, "test_accuracy": float(np.mean(hits))}
        if n_iter != {epochs}:
            raise RuntimeError(f"{name} stopped after {sorted(n_iter)} epochs, not "
                               f"{epochs}: its update count would be wrong.")
    return out, correct, growth


def batch_lr(report):
    """Batch size against learning rate on the bundled digits (seed 1.4.4.3)."""
    rs = report.random_state
    data = load_handwritten_digits(dataset="digits", random_state=rs)
    X_tr, X_te, y_tr, y_te = data.X_train, data.X_test, data.y_train, data.y_test
    epochs = 6 if report.quick else 10
    lrs = [0.01, 0.03, 0.1, 0.3, 1.0]
    batches = [8, 32, 128] if report.quick else [8, 32, 128, 512]
    n_splits = 1 if report.quick else 3
    net = _seed_net(rs, solver="sgd", momentum=0.9, max_iter=epochs)
    search = report.watch(GridSearchCV(
        net, {"learning_rate_init": lrs, "batch_size": batches},
        cv=StratifiedShuffleSplit(n_splits, test_size=0.25, random_state=rs),
        error_score=np.nan), max_propagation_depth=0).fit(X_tr, y_tr)
    grid = LRBatchGrid.from_cv_results(search.cv_results_)
    report.note(f"sklearn digits (8x8), {len(y_tr)} training images, the "
                f"64-64-16-10 net with SGD (momentum 0.9), the same {epochs} epochs "
                "for every cell (so a larger batch makes fewer updates); validation "
                f"accuracy, mean of {n_splits} split{'s' if n_splits > 1 else ''} "
                "(GridSearchCV).")
    report.code(grid.table(), title="Validation accuracy per batch size (rows) and "
                                    "learning rate (columns), best starred")
    report.code(grid.rule_report(), title="The rule the best rate follows, lr ~ "
                                          "batch^k (k = 1 linear, 0.5 sqrt)")
    verdicts = list(grid.verdicts)
    k_all = float(np.log(grid.refined_lrs[-1] / grid.refined_lrs[0])
                  / np.log(grid.batch_sizes[-1] / grid.batch_sizes[0]))
    report.note(
        "Best learning rate per batch size: "
        + ", ".join(f"batch {b}: {lr:g} (accuracy {sc:.3f})" for b, lr, sc in
                    zip(grid.batch_sizes, grid.best_lrs, grid.best_scores))
        + f". From batch {grid.batch_sizes[0]} to {grid.batch_sizes[-1]} the "
        f"refined best rate goes {grid.refined_lrs[0]:.3g} -> "
        f"{grid.refined_lrs[-1]:.3g}, lr ~ batch^{k_all:+.2f} overall; step by "
        f"step: {', '.join(verdicts)}. "
        + _stability_note(grid))
    report.record("best_lrs", dict(zip(grid.batch_sizes.tolist(), grid.best_lrs.tolist())))
    report.record("best_val_acc", dict(zip(grid.batch_sizes.tolist(),
                                           grid.best_scores.tolist())))
    report.record("exponent_overall", k_all)
    report.record("verdicts", verdicts)
    best = search.best_estimator_
    acc = float(best.score(X_te, y_te))
    report.record("best_test_acc", acc)
    report.note(f"The best cell (lr {best.learning_rate_init:g}, batch "
                f"{best.batch_size}) refitted on all the training images: test "
                f"accuracy {acc:.3f}.")
    _growth_section(report, best, X_tr, X_te, y_tr, y_te, epochs)
    d = LRBatchGridDisplay(grid).plot(
        title=f"Validation accuracy, {epochs} epochs per cell (digits)")
    report.save(d.figure_, "batch_lr_grid.png",
                "Validation accuracy over the learning-rate x batch-size grid; the "
                "best rate of each batch size is marked")


def _growth_section(report, best, X_tr, X_te, y_tr, y_te, epochs):
    """Seed 1.4.4.3's closing advice, computed: grow the batch, keep the rate."""
    seeds = [report.random_state + k for k in range(1 if report.quick else 3)]
    runs, correct, growth = _growth_vs_decay(best, X_tr, X_te, y_tr, y_te, epochs,
                                             seeds)
    report.table(["schedule", "lr (start -> end)", "batch (start -> end)", "epochs",
                  "updates", "test acc"],
                 [[k, f"{r['lr']:g} -> {r['final_lr']:.3g}",
                   f"{r['batch']} -> {r['final_batch']}", r["epochs"], r["updates"],
                   r["test_accuracy"]] for k, r in runs.items()],
                 title=f"Grow the batch instead of decaying the rate: x{GROWTH_FACTOR} "
                       f"at epochs {', '.join(map(str, growth.milestones))}, the same "
                       f"{epochs} epochs from the same initial weights"
                       + ("" if len(seeds) == 1 else
                          f", test accuracy the mean over random_state "
                          f"{seeds[0]}-{seeds[-1]}"))
    g, d, f = runs["batch growth"], runs["lr decay"], runs["fixed (the best cell)"]
    diff = g["test_accuracy"] - d["test_accuracy"]
    # paired standard error of that difference over the test images (both
    # schedules are scored on the same images; initialisations not counted)
    per_image = correct["batch growth"] - correct["lr decay"]
    se = float(np.std(per_image, ddof=1) / np.sqrt(len(per_image)))
    same = abs(diff) <= 2 * se
    report.note(
        f"Seed 1.4.4.3: keep the rate ({g['lr']:g}) and grow the batch "
        f"({g['batch']} -> {g['final_batch']}) where the decay divides the rate by "
        f"{GROWTH_FACTOR}. Batch growth ends at test accuracy {g['test_accuracy']:.3f} "
        f"with {g['updates']} updates, the lr decay at {d['test_accuracy']:.3f} with "
        f"{d['updates']} ({d['updates'] / g['updates']:.1f}x as many), the fixed rate "
        f"at {f['test_accuracy']:.3f}. "
        + (f"The difference, {diff:+.3f}, is within twice its standard error over "
           f"the {len(y_te)} test images ({2 * se:.3f}): on this run growth reaches "
           "the decay's accuracy with fewer updates, as Smith et al. (2017) claim."
           if same else
           f"Growth is {abs(diff):.3f} {'behind' if diff < 0 else 'ahead of'} the "
           f"decay, more than twice the standard error of that difference over the "
           f"{len(y_te)} test images ({2 * se:.3f}): on this run "
           + ("fewer updates do NOT reach the same accuracy." if diff < 0 else
              "growth does better than the decay it stands in for."))
        + (f" One initialisation (random_state {seeds[0]}); "
           if len(seeds) == 1 else f" Mean of {len(seeds)} initialisations; ")
        + "benchmarks/bench_batch_growth.py repeats the comparison over seeds.")
    report.record("growth_vs_decay", runs)
    report.record("growth_minus_decay", {"difference": diff, "standard_error": se})
    report.record("growth_matches_decay", bool(same))
    report.record("growth_milestones", list(growth.milestones))
