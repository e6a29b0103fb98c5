"""scikit-learn's callbacks (``sklearn.callback``, 1.9+) in this package's training.

``set_callbacks(ProgressBar(), ScoringMonitor(...), your_callback)`` works on
both classifiers, on :class:`~sknn_cn.imbalance.SchapireBoostClassifier` and
for :func:`~sknn_cn.lr_finder.lr_range_test`; a ``Pipeline`` or a
``GridSearchCV`` around them propagates its auto-propagated callbacks
(``ProgressBar``) into them, in worker processes too.  This module is the one
place that talks to ``sklearn.callback``; the estimators and the loop call it
with a line each.

The tasks (``on_fit_task_begin`` / ``on_fit_task_end``)
------------------------------------------------------
* ``fit`` or ``partial_fit``: one root task per call.  Its children are

  - one ``epoch`` task per epoch (``partial_fit``: one), or,
  - when several initialisations are trained (``n_init > 1``, or
    ``n_init='auto'`` on a small net), one ``initialisation`` task per run,
    each with its ``epoch`` tasks.

  ``max_subtasks`` is the epoch budget (``max_iter``, see
  :func:`~sknn_cn.training.stopping.epoch_budget`) or the number of runs
  (``n_init='auto'``: plus the valley retries it may make); a run that stops
  early has fewer children.  There is no task per mini-batch:
  ``ProgressBar`` draws one bar per task that has children, so it would
  draw a bar per epoch, and from a worker process every event is a socket
  round trip (``benchmarks/bench_callbacks.py`` measures a task against a
  mini-batch).  Without callbacks no task is made at all.
* What the hooks get: the root task the ``X``, ``y`` and
  ``metadata={'sample_weight': ...}`` given to ``fit`` (``None`` without
  weights), and at its end ``fitted_estimator`` (the fitted estimator).
  ``epoch`` and ``initialisation`` tasks get the samples trained on (without
  the part ``early_stopping`` holds out), their labels, the weights of the
  loss (``sample_weight`` times ``class_weight``, ``None`` when there are
  none), and a ``fitted_estimator``: a copy whose weights and curves are
  those at that moment.  Its ``loss_`` is the epoch's training loss
  (``loss_curve_`` the curve so far) and, with ``early_stopping``,
  ``validation_loss_curve_[-1]`` and ``validation_scores_[-1]`` are the
  epoch's validation loss and accuracy.  The copy is made only for the
  callbacks that ask for ``fitted_estimator``.
* Stopping: an ``epoch`` task's ``on_fit_task_end`` returning True ends that
  run's epochs there; the run keeps what ``early_stopping`` keeps (the best
  validation weights) or else its last weights, and no ``ConvergenceWarning``
  is raised.  An ``initialisation`` task returning True stops trying further
  initialisations (the best run so far is kept).
* A fit that raises ends every task it began, innermost first (with no data),
  and the callbacks are torn down.

With scikit-learn older than 1.9 there is no ``sklearn.callback``: the
estimators have no ``set_callbacks`` and train as before.
"""

import contextlib
import copy
import types
import warnings

try:
    from sklearn.callback import CallbackSupportMixin, with_callbacks

    SUPPORTED = True
except ImportError:  # scikit-learn < 1.9: no callbacks, everything else works
    SUPPORTED = False

    class CallbackSupportMixin:
        """scikit-learn < 1.9: no ``set_callbacks``."""

    def with_callbacks(method):
        return method


from .stopping import MAX_VALLEY_RETRIES

__all__ = [
    "SUPPORTED",
    "WatchMixin",
    "FitWatch",
    "NULL_WATCH",
    "with_callbacks",
    "callbacks_of",
    "watch_steps",
]


def callbacks_of(estimator):
    """The callbacks ``set_callbacks`` gave ``estimator`` (a new list).

    scikit-learn 1.9 keeps them in the estimator's ``_skl_callbacks`` and
    offers no getter; this is the one place the package reads it.
    """
    return list(vars(estimator).get("_skl_callbacks", ()))


def _weights(sample_weight):
    return None if sample_weight is None else {"sample_weight": sample_weight}


class _NullWatch:
    """No callbacks: every hook does nothing (the cost of a method call)."""

    def begin(self, *args, **kwargs):
        pass

    def begin_run(self, state):
        pass

    def end_run(self, state):
        return False

    def begin_epoch(self, state):
        pass

    def end_epoch(self, state):
        return False

    def begin_step(self):
        pass

    def end_step(self, X, y):
        return False

    def fit_learner(self, name, learner, X, y):
        return learner.fit(X, y)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


NULL_WATCH = _NullWatch()


class FitWatch(_NullWatch):
    """The tasks of one fit: begins and ends them, and ends them all if it fails.

    Parameters
    ----------
    estimator : estimator
        Passed to the hooks as ``estimator``.
    root : sklearn.callback.CallbackContext
        The root context, made by the estimator's ``_init_callback_context``.
    X, y, sample_weight :
        What the root task's hooks get.
    begin_now : bool
        Begin the root task on entering (its ``max_subtasks`` is known);
        otherwise :meth:`begin` does, once the loop knows the epoch budget.
    """

    def __init__(self, estimator, root, X, y, sample_weight, begin_now=False):
        self.estimator = estimator
        self.root = root
        self.fit_data = {"X": X, "y": y, "metadata": _weights(sample_weight)}
        self.begin_now = begin_now
        self.open = []          # begun and not yet ended, outermost first
        self.parent = root      # where the next epoch task goes
        self.epoch = None
        self.run = None
        self.n_runs = 1
        self.net = None         # a range test's net (watch_steps)

    # -- begin / end, keeping the open tasks ----------------------------------
    def _begin(self, ctx, **data):
        self.open.append(ctx)
        ctx.call_on_fit_task_begin(estimator=self.estimator, **data)
        return ctx

    def _end(self, ctx, **data):
        """End ``ctx`` (its open descendants first, with no data); True = stop."""
        if ctx not in self.open:
            return False
        while self.open[-1] is not ctx:
            self.open.pop().call_on_fit_task_end(estimator=self.estimator)
        self.open.pop()
        return bool(ctx.call_on_fit_task_end(estimator=self.estimator, **data))

    def __enter__(self):
        if self.begin_now:
            self._begin(self.root, **self.fit_data)
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:  # the estimator is fitted (a range test: the net)
            self._end(self.root, **self.fit_data, reconstruction_attributes=(
                self.net_attributes if self.net is not None else {}))
            return False
        errors = []
        while self.open:  # a failed fit: end what it began, innermost first
            try:
                self.open.pop().call_on_fit_task_end(estimator=self.estimator)
            except Exception as error:  # the fit's own error is the one raised
                errors.append(error)
        if errors:
            warnings.warn(f"A callback failed while ending the tasks of a failed fit: "
                          f"{errors[0]!r}", UserWarning, stacklevel=2)
        return False

    # -- the training loop's hooks --------------------------------------------
    def begin(self, data, y_index, *, n_runs, epochs, search, activations,
              out_activation):
        """The root task begins: the loop knows the runs and the epoch budget."""
        X, _, sample_weight = data
        self.n_runs = n_runs
        self.epochs = epochs
        self.root.max_subtasks = (
            epochs if n_runs == 1 else n_runs + (MAX_VALLEY_RETRIES if search else 0))
        self.fitted = {"activations_": list(activations), "out_activation_": out_activation}
        self._y_index = y_index
        self._labels = None
        self.epoch_data = {"X": X, "y": self._epoch_labels,
                           "metadata": _weights(sample_weight)}
        self._begin(self.root, **self.fit_data)

    def _epoch_labels(self):
        if self._labels is None:  # made once, when a callback asks for y
            self._labels = self.estimator.classes_[self._y_index]
        return self._labels

    def _data(self, state):
        return {**self.epoch_data,
                "reconstruction_attributes": lambda: self._attributes(state)}

    def _attributes(self, state):
        """The fitted attributes of ``state``, copied (the loop goes on changing it)."""
        attrs = types.SimpleNamespace()
        state.commit(attrs)
        attrs = vars(attrs)
        for key, value in attrs.items():
            if isinstance(value, list):
                attrs[key] = copy.deepcopy(value)
        return {**attrs, **self.fitted}

    def begin_run(self, state):
        if self.n_runs > 1:
            self.run = self.root.subcontext(task_name="initialisation",
                                            max_subtasks=self.epochs)
            self.parent = self._begin(self.run, **self._data(state))

    def end_run(self, state):
        if self.n_runs == 1:
            return False
        return self._end(self.run, **self._data(state))

    def begin_epoch(self, state):
        self.epoch = self._begin(self.parent.subcontext(task_name="epoch"),
                                 **self._data(state))

    def end_epoch(self, state):
        return self._end(self.epoch, **self._data(state))

    # -- a meta-estimator's learners, a range test's steps ---------------------
    def fit_learner(self, name, learner, X, y):
        """Fit ``learner`` as the subtask ``name``, passing ProgressBar & co. on."""
        ctx = self.root.subcontext(task_name=name)
        propagate = (ctx.propagate_callback_context(learner)
                     if hasattr(learner, "set_callbacks") else contextlib.nullcontext())
        with propagate:
            self._begin(ctx, X=X, y=y)
            learner.fit(X, y)
            self._end(ctx, X=X, y=y)
        return learner

    def begin_step(self):
        self.epoch = self._begin(self.root.subcontext(task_name="step"))

    def end_step(self, X, y):
        return self._end(self.epoch, X=X, y=y,
                         reconstruction_attributes=self.net_attributes)

    def net_attributes(self):
        """The tested net now: its rate (a parameter) and its fitted attributes."""
        fitted = {key: value for key, value in vars(self.net).items()
                  if key.endswith("_") and not key.startswith("_")}
        return {**self.net.get_params(deep=False), **fitted}


class WatchMixin(CallbackSupportMixin):
    """``set_callbacks`` (scikit-learn >= 1.9) and the watch a ``fit`` reports through."""

    def _watch(self, task_name, X, y, sample_weight=None, *, max_subtasks=None):
        """The root task of this call, or :data:`NULL_WATCH` without callbacks.

        Call it before taking the all-or-nothing snapshot of ``__dict__``: the
        root context lives there, and the callbacks' teardown (by
        ``_fit_context`` or ``with_callbacks``) needs it after a refused fit.
        """
        if not (SUPPORTED and callbacks_of(self)):
            return NULL_WATCH
        root = self._init_callback_context(task_name=task_name, max_subtasks=max_subtasks)
        return FitWatch(self, root, X, y, sample_weight,
                        begin_now=max_subtasks is not None)


class RangeTestMixin:
    """Makes a copy of the tested net the holder of a range test's task tree."""

    @contextlib.contextmanager
    def watch_steps(self, X, y, n_steps, net):
        watch = self._watch("lr_range_test", X, y, max_subtasks=n_steps)
        watch.net = net
        try:
            with watch:
                yield watch
        finally:  # no _fit_context does it: this holder is never fitted
            for callback in self._skl_callbacks_to_teardown:
                callback.teardown(estimator=self, context=watch.root)


def watch_steps(net, X, y, n_steps):
    """A context manager: the callbacks of ``net`` watch a range test of it.

    They move from ``net`` (its ``partial_fit`` calls then report nothing) to
    an ``LRRangeTest``, an unfitted copy of ``net`` (so that ``ScoringMonitor``
    can score it), whose root task ``lr_range_test`` has one ``step`` task
    per update.  A step's end gets the mini-batch as ``X``, ``y`` and
    ``fitted_estimator``, ``net`` after the update: ``learning_rate_init`` is
    the step's rate and ``loss_`` its loss (a step whose loss overflowed
    leaves the net as it was).  Returning True there ends the test.  Without
    callbacks it yields :data:`NULL_WATCH`.
    """
    callbacks = callbacks_of(net)
    if not (SUPPORTED and callbacks):
        return contextlib.nullcontext(NULL_WATCH)
    net.set_callbacks()
    holder = type("LRRangeTest", (RangeTestMixin, type(net)), {"__module__": __name__})
    holder = holder(**net.get_params(deep=False)).set_callbacks(*callbacks)
    return holder.watch_steps(X, y, n_steps, net)
