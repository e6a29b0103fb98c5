"""Training: what changes the weights, and when it stops (seed 1.4.4).

* :mod:`~sknn_cn.training.optimizers`: SGD (momentum, Nesterov) and Adam; they
  only apply an update;
* :mod:`~sknn_cn.training.schedules`: the six learning-rate schedules of seed
  1.4.4.2, a step -> a rate;
* :mod:`~sknn_cn.training.sklearn_schedules`: scikit-learn's ``learning_rate``
  ('invscaling', 'adaptive') as schedules, and how it combines with ``lr_schedule``;
* :mod:`~sknn_cn.training.batch_schedules`: growing the batch size instead
  (1.4.4.3), an epoch -> a batch size;
* :mod:`~sknn_cn.training.stopping`: the epoch budget, the no-improvement
  rule, the ``n_init='auto'`` search rules;
* :mod:`~sknn_cn.training.loop`: the epoch / mini-batch loop and its state;
* :mod:`~sknn_cn.training.lbfgs`: ``solver='lbfgs'``, scipy's L-BFGS-B on the objective;
* :mod:`~sknn_cn.training.split`: the validation split of ``early_stopping``;
* :mod:`~sknn_cn.training.state`: the training state persistence saves;
* :mod:`~sknn_cn.training.threads`: BLAS threads while training;
* :mod:`~sknn_cn.training.callbacks`: scikit-learn's callbacks (1.9+), the
  tasks a fit reports.
"""
