"""The classifier: one analysis of a comment (``analysis``), the feature views built on it
(``features``), the model (``model``), training and metrics (``training``, ``metrics``,
``evaluation``), bundles on disk (``bundle``, ``card``), explanations (``explain``) and
file scoring (``scoring``)."""
