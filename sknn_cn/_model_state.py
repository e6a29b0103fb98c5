"""The state dictionary of a saved model: what is saved per class and how it is checked.

:mod:`sknn_cn.persistence` documents the file format and does the file work;
this module turns an estimator into the JSON ``model`` entry plus named arrays
(:func:`model_to_state`) and back (:func:`model_from_state`), validating every
field.  Arrays go through a *writer* (``field(name, value)`` returns the JSON
placeholder) and come back through a *reader* (``field(name, placeholder,
where, kinds=, ndim=)`` returns checked arrays, ``fail(msg)`` raises).
"""

import math
import numbers
import warnings

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import validate_parameter_constraints

from .network import ACTIVATIONS, resolve_activation
from .training import schedules as _schedules
from .training.schedules import get_schedule
from .training.state import OPTIMIZERS as _OPTIMIZERS
from .training.stopping import AUTO_PATIENCE

__all__ = ["ModelFileError", "FITTED_ATTRIBUTES", "model_to_state", "model_from_state"]

_MAX_DEPTH = 8              # nesting of parameter values (tuples, dicts)
#: The training state's no-improvement counters (format_version 3 on).
_COUNTERS = ("no_improvement", "n_plateaus")


class ModelFileError(ValueError):
    """The file is not a valid sknn_cn model (corrupt, truncated, malformed,
    inconsistent, or naming a type this package does not build)."""


def _classes():
    """The one place that imports the estimators (boosting is moving module)."""
    from .estimators import BinaryMLPClassifier, MulticlassMLPClassifier
    from .imbalance import SchapireBoostClassifier

    return {c.__name__: c for c in (BinaryMLPClassifier, MulticlassMLPClassifier,
                                    SchapireBoostClassifier)}


def _schedule_table():
    return {name: obj for name in _schedules.__all__
            if isinstance(obj := getattr(_schedules, name), type)
            and issubclass(obj, _schedules.LRSchedule)}


# --------------------------------------------------------------- parameters
def _encode(value, where):
    """A constructor parameter as tagged JSON; refuse anything else."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.bool_, np.integer, np.floating, int, float)):
        value = value.item() if isinstance(value, np.generic) else value
        return value if not isinstance(value, float) or math.isfinite(value) \
            else {"__float__": repr(value)}
    if isinstance(value, (tuple, list)):
        items = [_encode(v, where) for v in value]
        return {"__tuple__": items} if isinstance(value, tuple) else items
    if isinstance(value, dict):
        return {"__dict__": [[_encode(k, where), _encode(v, where)]
                             for k, v in value.items()]}
    if isinstance(value, np.dtype) or (isinstance(value, type)
                                       and issubclass(value, np.generic)):
        return {"__dtype__": np.dtype(value).name}
    if _schedule_table().get(type(value).__name__) is type(value):
        return {"__schedule__": type(value).__name__,
                "params": _encode(value.get_params(deep=False), where)}
    if _classes().get(type(value).__name__) is type(value):
        return {"__estimator__": type(value).__name__,
                "params": _encode(value.get_params(deep=False), where)}
    raise TypeError(f"{where}: cannot save a value of type {type(value).__name__} "
                    f"({value!r}); only plain numbers, strings, lists, tuples, dicts, "
                    "NumPy dtypes, sknn_cn schedules and estimators are supported.")


def _decode(data, where, depth=0):
    if depth > _MAX_DEPTH:
        raise ModelFileError(f"{where}: nested deeper than {_MAX_DEPTH} levels.")
    if data is None or isinstance(data, (bool, int, float, str)):
        if isinstance(data, float) and not math.isfinite(data):
            raise ModelFileError(f"{where}: bare non-finite number {data!r}.")
        return data
    if isinstance(data, list):
        return [_decode(v, where, depth + 1) for v in data]
    tag = next(iter(data)) if isinstance(data, dict) and data else None
    body = data.get(tag) if tag else None
    if set(data or ()) == {"__float__"} and body in ("inf", "-inf", "nan"):
        return float(body)
    if set(data or ()) == {"__tuple__"} and isinstance(body, list):
        return tuple(_decode(v, where, depth + 1) for v in body)
    if set(data or ()) == {"__dict__"} and isinstance(body, list) and all(
            isinstance(p, list) and len(p) == 2 for p in body):
        return {_decode(k, where, depth + 1): _decode(v, where, depth + 1)
                for k, v in body}
    if set(data or ()) == {"__dtype__"} and body in ("float32", "float64"):
        return getattr(np, body)
    for tag, table in (("__schedule__", _schedule_table()), ("__estimator__", _classes())):
        if isinstance(data, dict) and set(data) == {tag, "params"}:
            cls = table.get(data[tag]) if isinstance(data[tag], str) else None
            if cls is None:
                raise ModelFileError(f"{where}: type {data[tag]!r} is not one of "
                                     f"sknn_cn's own {sorted(table)}; refused.")
            return _build(cls, _decode(data["params"], where, depth + 1), where)
    raise ModelFileError(f"{where}: unsupported value {str(data)[:80]!r}.")


def _build(cls, params, where):
    """``cls(**params)`` after checking names and sklearn's parameter constraints."""
    if not isinstance(params, dict):
        raise ModelFileError(f"{where}: parameters of {cls.__name__} must be a dict.")
    allowed = set(cls().get_params(deep=False))
    if set(params) - allowed:
        raise ModelFileError(f"{where}: {cls.__name__} has no parameters "
                             f"{sorted(map(str, set(params) - allowed))}.")
    est = cls(**params)
    try:
        if hasattr(est, "_parameter_constraints"):
            # what sklearn's BaseEstimator._validate_params does, via its public function
            validate_parameter_constraints(est._parameter_constraints,
                                           est.get_params(deep=False),
                                           caller_name=type(est).__name__)
        else:
            est.validate()              # a schedule checks its own parameters
    except (TypeError, ValueError) as exc:    # InvalidParameterError is both
        raise ModelFileError(f"{where}: {exc}") from exc
    return est



_MLP_ATTRIBUTES = (
    "coefs_", "intercepts_", "classes_", "n_features_in_", "feature_names_in_",
    "n_iter_", "t_", "loss_", "loss_curve_", "best_loss_", "validation_loss_curve_",
    "validation_scores_", "best_validation_score_", "n_layers_", "n_outputs_",
    "activations_", "out_activation_")
#: The public fitted attributes saved for each class (nothing else is saved).
FITTED_ATTRIBUTES = {
    "BinaryMLPClassifier": _MLP_ATTRIBUTES,
    "MulticlassMLPClassifier": _MLP_ATTRIBUTES,
    "SchapireBoostClassifier": (
        "classes_", "n_features_in_", "feature_names_in_", "majority_class_",
        "minority_class_", "estimators_", "estimators_samples_", "l1_correct_"),
}
_OUTPUTS = {"BinaryMLPClassifier": "logistic", "MulticlassMLPClassifier": "softmax"}



def _mlp_state(est, w, prefix):
    attrs = {}
    for name in _MLP_ATTRIBUTES:
        value = getattr(est, name, None)
        if name in ("coefs_", "intercepts_", "classes_", "feature_names_in_"):
            attrs[name] = w.field(prefix + name, value)
        elif name.endswith("curve_") or name == "validation_scores_":
            attrs[name] = w.field(prefix + name, None if value is None
                                  else np.asarray(value, dtype=np.float64))
        else:
            attrs[name] = _encode(value, name)
    # partial_fit's state beyond the fitted attributes: the estimator's public
    # get_training_state(), stored as JSON integers and named arrays
    state = est.get_training_state()
    training = {"n_updates": state["n_updates"]}
    generator = state["generator"]
    training["rng"] = {"state": generator["state"]["state"],
                       "inc": generator["state"]["inc"],
                       "has_uint32": generator["has_uint32"],
                       "uinteger": generator["uinteger"]}
    opt = state["optimizer"]
    training["optimizer"] = {"class": opt["class"], "state": {
        k: (w.field(f"{prefix}training_state.optimizer.{k}", v)
            if isinstance(v, list) else v) for k, v in opt["state"].items()}}
    training.update({k: state[k] for k in _COUNTERS})       # format_version 3
    return attrs, training


def _boost_state(est, w, prefix):
    learners = []
    for i, learner in enumerate(est.estimators_):
        sub = f"{prefix}estimators_.{i}."
        if type(learner).__name__ == "DummyClassifier" and learner.strategy == "constant":
            learners.append({"estimator": "constant",
                             "classes_": w.field(sub + "classes_", learner.classes_),
                             "constant": w.field(sub + "constant", learner.constant),
                             "class_prior_": w.field(sub + "class_prior_",
                                                     learner.class_prior_)})
        else:
            learners.append(model_to_state(learner, w, sub))
    index = {c: int(np.searchsorted(est.classes_, getattr(est, c)))
             for c in ("majority_class_", "minority_class_") if hasattr(est, c)}
    attrs = {"classes_": w.field(prefix + "classes_", est.classes_),
             "n_features_in_": int(est.n_features_in_),
             "feature_names_in_": w.field(prefix + "feature_names_in_",
                                          getattr(est, "feature_names_in_", None)),
             "majority_class_": index.get("majority_class_"),
             "minority_class_": index.get("minority_class_"),
             "estimators_": learners,
             "estimators_samples_": w.field(prefix + "estimators_samples_",
                                            [np.asarray(s, np.int64)
                                             for s in est.estimators_samples_]),
             "l1_correct_": w.field(prefix + "l1_correct_", est.l1_correct_)}
    return attrs, {}


def model_to_state(est, w, prefix=""):
    name = type(est).__name__
    if _classes().get(name) is not type(est):
        raise TypeError(f"save_model saves sknn_cn's own classifiers "
                        f"{sorted(_classes())}; got {type(est).__module__}.{name}.")
    if not hasattr(est, "classes_"):
        raise NotFittedError(f"This {name} instance is not fitted yet; fit it first.")
    params = est.get_params(deep=False)
    if not isinstance(params.get("random_state"), (int, np.integer, type(None))):
        warnings.warn("random_state is a RandomState/Generator object; it is saved "
                      "as None (the fitted generator state is kept).", UserWarning,
                      stacklevel=3)
        params["random_state"] = None
    state = _boost_state if name == "SchapireBoostClassifier" else _mlp_state
    attrs, training = state(est, w, prefix)
    return {"estimator": name, "params": {k: _encode(v, f"parameter {k}")
                                          for k, v in params.items()},
            "attributes": attrs, "training_state": training}


def _number(value, where, kind, low=None, optional=False, inf=False):
    if value is None and optional:
        return None
    if inf and value in ({"__float__": "inf"}, {"__float__": "-inf"}):
        return float(value["__float__"])
    ok = isinstance(value, (int, float) if kind is float else int) \
        and not isinstance(value, bool)
    if not ok or (kind is float and not math.isfinite(value)) \
            or (low is not None and value < low):
        raise ModelFileError(f"{where}={value!r} must be a finite {kind.__name__}"
                             + (f" >= {low}" if low is not None else "") + ".")
    return kind(value)


def _labels(classes, where):
    if classes.ndim != 1 or classes.size < 2 or not (classes[1:] > classes[:-1]).all():
        raise ModelFileError(f"{where}: classes_ must hold at least 2 sorted, "
                             "distinct labels.")
    return classes


def _feature_names(r, attrs, prefix, n_features):
    names = r.field(prefix + "feature_names_in_", attrs.get("feature_names_in_"),
                    "feature_names_in_", optional=True, kinds="U", ndim=1)
    if names is not None and names.shape != (n_features,):
        r.fail(f"feature_names_in_ has {names.size} names for {n_features} features")
    return None if names is None else names.astype(object)


def _check_fields(r, cls, attrs, where):
    expected = set(FITTED_ATTRIBUTES[cls.__name__])
    if not isinstance(attrs, dict) or set(attrs) != expected:
        got = set(attrs) if isinstance(attrs, dict) else set()
        r.fail(f"{where}: attributes must be exactly {sorted(expected)} (unknown "
               f"{sorted(map(str, got - expected))}, missing {sorted(expected - got)})")


def _load_mlp(r, cls, est, attrs, training, prefix):
    where = prefix or cls.__name__
    _check_fields(r, cls, attrs, where)
    n_layers = _number(attrs["n_layers_"], f"{where}.n_layers_", int, 2)
    coefs = r.field(prefix + "coefs_", attrs["coefs_"], "coefs_", many=True, kinds="f",
                    ndim=2)
    intercepts = r.field(prefix + "intercepts_", attrs["intercepts_"], "intercepts_",
                         many=True, kinds="f", ndim=1)
    classes = _labels(r.field(prefix + "classes_", attrs["classes_"], "classes_"), where)
    width = _number(attrs["n_features_in_"], f"{where}.n_features_in_", int, 1)
    n_features = width
    if not (isinstance(coefs, list) and isinstance(intercepts, list)
            and len(coefs) == len(intercepts) == n_layers - 1):
        r.fail(f"{where}: coefs_ and intercepts_ must be n_layers_ - 1 = "
               f"{n_layers - 1} arrays each")
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        if W.shape[0] != width or b.shape != (W.shape[1],) or not (
                W.dtype == b.dtype == coefs[0].dtype and W.dtype.itemsize in (4, 8)):
            r.fail(f"{where}: layer {i + 1} has W {W.dtype} {W.shape} and b {b.dtype} "
                   f"{b.shape}; expected float32/64 W ({width}, k), b (k,)")
        width = W.shape[1]
    out = _OUTPUTS[cls.__name__]
    n_out = 1 if out == "logistic" else len(classes)
    if width != n_out or (out == "logistic" and len(classes) != 2) or \
            attrs["out_activation_"] != out or attrs["n_outputs_"] != n_out:
        r.fail(f"{where}: output layer of {width} units, n_outputs_="
               f"{attrs['n_outputs_']!r}, out_activation_={attrs['out_activation_']!r}; "
               f"{cls.__name__} with {len(classes)} classes needs {n_out} {out!r}")
    acts = _decode(attrs["activations_"], "activations_")
    if not (isinstance(acts, tuple) and len(acts) == n_layers - 2
            and all(isinstance(a, str) and a in ACTIVATIONS for a in acts)):
        r.fail(f"{where}: activations_={acts!r} must name one of {sorted(ACTIVATIONS)} "
               "per hidden layer")
    curves = {name: r.field(prefix + name, attrs[name], name, kinds="f", ndim=1,
                            optional=name != "loss_curve_")
              for name in ("loss_curve_", "validation_loss_curve_", "validation_scores_")}
    if (curves["validation_scores_"] is None) != (curves["validation_loss_curve_"] is None):
        r.fail(f"{where}: validation_scores_ and validation_loss_curve_: both or neither")
    _check_params(r, est, coefs, acts, where)
    validated = curves["validation_scores_"] is not None
    values = dict(
        n_features_in_=n_features, n_layers_=n_layers, n_outputs_=n_out,
        out_activation_=out, activations_=acts, coefs_=coefs, intercepts_=intercepts,
        classes_=classes, n_iter_=_number(attrs["n_iter_"], "n_iter_", int, 0),
        t_=_number(attrs["t_"], "t_", int, 0), loss_=_number(attrs["loss_"], "loss_", float),
        best_loss_=_number(attrs["best_loss_"], "best_loss_", float, optional=validated,
                           inf=True),
        best_validation_score_=_number(attrs["best_validation_score_"],
                                       "best_validation_score_", float,
                                       optional=not validated, inf=True),
        **{k: None if v is None else v.tolist() for k, v in curves.items()})
    names = _feature_names(r, attrs, prefix, n_features)
    if names is not None:
        values["feature_names_in_"] = names
    for k, v in values.items():
        setattr(est, k, v)
    _load_training(r, est, training, coefs, intercepts, prefix)


def _check_params(r, est, coefs, acts, where):
    """The constructor parameters must describe the saved network (partial_fit checks)."""
    sizes, act = est.hidden_layer_sizes, est.activation
    sizes = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
    try:
        names = [resolve_activation(a) for a in ([act] * len(acts) if isinstance(act, str)
                                                 else list(act))]
        get_schedule(est.lr_schedule).validate()
    except (TypeError, ValueError) as exc:
        r.fail(f"{where}: {exc}")
    dtype = coefs[0].dtype
    if sizes != [W.shape[1] for W in coefs[:-1]] or tuple(names) != acts or (
            est.dtype is not None and np.dtype(est.dtype) != dtype):
        r.fail(f"{where}: parameters hidden_layer_sizes={est.hidden_layer_sizes!r}, "
               f"activation={act!r}, dtype={est.dtype!r} do not describe the saved "
               f"network ({[W.shape for W in coefs]}, {acts}, {dtype})")


def _load_training(r, est, training, coefs, intercepts, prefix):
    """partial_fit's state, checked here and set through est.set_training_state.

    The no-improvement counters came with format_version 3; a version 2 file
    has none (its writer kept none), so they start at 0 as they then did."""
    where = prefix + "training_state"
    counters = _COUNTERS if r.version >= 3 else ()
    keys = {"n_updates", "rng", "optimizer", *counters}
    if not isinstance(training, dict) or set(training) != keys:
        r.fail(f"{where} keys must be {sorted(keys)} (format_version {r.version})")
    n_updates = _number(training.get("n_updates"), f"{where}.n_updates", int, 0)
    counts = {k: _number(training[k], f"{where}.{k}", int, 0) if k in counters else 0
              for k in _COUNTERS}
    if training.get("rng") is None or training.get("optimizer") is None:
        r.fail(f"{where}: rng and optimizer are required")
    rng = training["rng"]
    limits = {"state": 2**128, "inc": 2**128, "has_uint32": 2, "uinteger": 2**32}
    if not isinstance(rng, dict) or set(rng) != set(limits) or not all(
            isinstance(rng[k], int) and not isinstance(rng[k], bool)
            and 0 <= rng[k] < hi for k, hi in limits.items()):
        r.fail(f"{where}.rng must hold PCG64 integers "
               f"{ {k: f'[0, {v})' for k, v in limits.items()} }")
    bitgen = np.random.PCG64()
    bitgen.state = {"bit_generator": "PCG64", "has_uint32": rng["has_uint32"],
                    "uinteger": rng["uinteger"],
                    "state": {"state": rng["state"], "inc": rng["inc"]}}
    entry = training["optimizer"]
    if not (isinstance(entry, dict) and set(entry) == {"class", "state"}
            and entry["class"] in _OPTIMIZERS and isinstance(entry["state"], dict)):
        r.fail(f"{where}.optimizer must name one of {sorted(_OPTIMIZERS)}")
    # which entries are lists of arrays: those a fresh optimizer of the class lists
    lists = {k for k, v in _OPTIMIZERS[entry["class"]]([np.zeros(1)]).state_dict().items()
             if isinstance(v, list)}
    optimizer = {"class": entry["class"], "state": {
        k: (r.field(f"{where}.optimizer.{k}", v, f"optimizer.{k}", many=True, kinds="f")
            if k in lists else v) for k, v in entry["state"].items()}}
    try:
        est.set_training_state({"n_updates": n_updates, "generator": bitgen.state,
                                "optimizer": optimizer, **counts})
    except ValueError as exc:       # OptimizerStateError is one
        r.fail(f"{where}: {exc}")


def _load_boost(r, cls, est, attrs, training, prefix):
    where = prefix or cls.__name__
    _check_fields(r, cls, attrs, where)
    if training != {}:
        r.fail(f"{where}: SchapireBoostClassifier has no training_state")
    classes = _labels(r.field(prefix + "classes_", attrs["classes_"], "classes_"), where)
    n_features = _number(attrs["n_features_in_"], f"{where}.n_features_in_", int, 1)
    learners = attrs["estimators_"]
    if not (isinstance(learners, list) and 1 <= len(learners) <= 3):
        r.fail(f"{where}: estimators_ must list 1 to 3 learners")
    samples = r.field(prefix + "estimators_samples_", attrs["estimators_samples_"],
                      "estimators_samples_", many=True, kinds="i", ndim=1)
    correct = r.field(prefix + "l1_correct_", attrs["l1_correct_"], "l1_correct_",
                      kinds="b", ndim=1)
    n = correct.shape[0]
    if not (isinstance(samples, list) and len(samples) == len(learners)
            and all(((s >= 0) & (s < n)).all() for s in samples)
            and np.array_equal(samples[0], np.arange(n))):
        r.fail(f"{where}: estimators_samples_ must hold one index array per learner, "
               f"the first all {n} samples")
    fitted = [_load_learner(r, spec, f"{prefix}estimators_.{i}.", n_features, classes)
              for i, spec in enumerate(learners)]
    values = {"classes_": classes, "n_features_in_": n_features, "estimators_": fitted,
              "estimators_samples_": [s.astype(np.intp) for s in samples],
              "l1_correct_": correct}
    for name in ("majority_class_", "minority_class_"):
        index = attrs[name]
        if (index is None) != (est.variant == "classic") or index not in (None, 0, 1) \
                or (index is not None and len(classes) != 2):
            r.fail(f"{where}: {name} must be an index into 2 classes for "
                   "variant='imbalance' and null otherwise")
        if index is not None:
            values[name] = classes[index]
    if values.get("majority_class_", 0) == values.get("minority_class_", 1):
        r.fail(f"{where}: majority_class_ and minority_class_ are the same class")
    names = _feature_names(r, attrs, prefix, n_features)
    if names is not None:
        values["feature_names_in_"] = names
    for k, v in values.items():
        setattr(est, k, v)


def _load_learner(r, spec, prefix, n_features, classes):
    if not isinstance(spec, dict) or spec.get("estimator") != "constant":
        learner = model_from_state(r, spec, prefix)
    else:
        from sklearn.dummy import DummyClassifier

        if set(spec) != {"estimator", "classes_", "constant", "class_prior_"}:
            r.fail(f"{prefix}: a constant learner has classes_, constant, class_prior_")
        own = r.field(prefix + "classes_", spec["classes_"], "classes_", ndim=1)
        constant = r.field(prefix + "constant", spec["constant"], "constant", ndim=1)
        prior = r.field(prefix + "class_prior_", spec["class_prior_"], "class_prior_",
                        kinds="f", ndim=1)
        if not (own.size >= 1 and (own[1:] > own[:-1]).all() and constant.shape == (1,)
                and constant[0] in own and prior.shape == own.shape and (prior >= 0).all()
                and abs(prior.sum() - 1) < 1e-9):
            r.fail(f"{prefix}: inconsistent constant learner")
        learner = DummyClassifier(strategy="constant", constant=constant)
        learner.fit(np.zeros((own.size, n_features)), own)
        learner.class_prior_ = prior
    if learner.n_features_in_ != n_features or not np.isin(learner.classes_, classes).all():
        r.fail(f"{prefix}: learner does not match the ensemble's features and classes")
    return learner


def _old_stopping_rule(r, params, where):
    """A file from before ``n_iter_no_change='auto'``: what its number meant
    (on the parameters as JSON).

    Until ``'auto'`` and ``learning_rate`` came (in one change) the number
    counted checks made every ``ceil(100 / batches per epoch)`` epochs, default
    10: that is ``'auto'`` now (``AUTO_PATIENCE``), so 10 loads as ``'auto'``.
    Another number is kept and now means sklearn's every-epoch rule (the same
    with >= 100 batches per epoch).  A file naming ``learning_rate`` is newer."""
    value = params.get("n_iter_no_change")
    if "learning_rate" in params or not isinstance(value, int) or isinstance(value, bool):
        return params
    note = ("is loaded as 'auto', the same rule under its new name" if value == AUTO_PATIENCE else
            "is kept but now means sklearn's rule (a check every epoch), not the old "
            "one (a check every ceil(100 / batches per epoch) epochs)")
    warnings.warn(f"{r.path!r} ({where}) is a format_version {r.version} file, from "
                  f"before n_iter_no_change='auto': n_iter_no_change={value} {note}. "
                  "Save it again to keep this reading.", UserWarning, stacklevel=6)
    return {**params, "n_iter_no_change": "auto"} if value == AUTO_PATIENCE else params


def model_from_state(r, model, prefix=""):
    where = prefix or "model"
    if not (isinstance(model, dict) and set(model) == {
            "estimator", "params", "attributes", "training_state"}):
        r.fail(f"{where} must hold estimator, params, attributes, training_state")
    cls = _classes().get(model["estimator"]) if isinstance(model["estimator"], str) \
        else None
    if cls is None:
        r.fail(f"{where} names estimator type {str(model['estimator'])[:80]!r}, which "
               f"is not one of sknn_cn's own estimators {sorted(_classes())}; refused")
    params = model["params"]
    if not isinstance(params, dict):
        r.fail(f"{where}: params must be an object")
    if r.version < 3:       # the MLP's own parameters, or a boosting template's
        inner = params.get("estimator")
        if isinstance(inner, dict) and isinstance(inner.get("params"), dict):
            params = {**params, "estimator": {
                **inner, "params": _old_stopping_rule(r, inner["params"], where)}}
        else:
            params = _old_stopping_rule(r, params, where)
    est = _build(cls, {k: _decode(v, f"{r.path!r}: parameter {k}")
                       for k, v in params.items()}, repr(r.path))
    load = _load_boost if cls.__name__ == "SchapireBoostClassifier" else _load_mlp
    load(r, cls, est, model["attributes"], model["training_state"], prefix)
    return est
