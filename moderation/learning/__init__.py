"""The learning loop: moderators' decisions become training rows.

- ``data``: the seed corpus plus every decided comment, with the decision ids behind them;
- ``weighting``: how much a decision counts against a seed row (cross-validated);
- ``comparison``: current vs candidate on decisions neither was trained on;
- ``retrain``: the comparison, then the model to promote, fitted on all rows;
- ``jobs``: retraining in a background process with a status file;
- ``promotions``: promotion, rollback and their record; ``versions``: the kept bundles;
  ``rescore``: the open comments scored again by the new model.
"""
