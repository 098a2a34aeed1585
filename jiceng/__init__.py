"""jiceng — 党建引领基层治理: the jurisdiction tree, its grids, its people and its cases."""

__version__ = "0.1.0"
