"""Recall and tuning: what an ANN index really returns, across ef_search / probes settings.

- :mod:`~pgvtui.core.recall.sweep` — the run: resolve the index, run every query at every
  setting, summarise per setting and recommend one (``run_recall``).
- :mod:`~pgvtui.core.recall.ground_truth` — the data side: the resolved target, query vectors
  and the exact ground truth streamed from the server.
- :mod:`~pgvtui.core.recall.exact_topk` — pure numpy: binary COPY parsing and the running exact
  top-k per query.
- :mod:`~pgvtui.core.recall.where_check` — validation of the user's ``--where`` predicate.
"""
