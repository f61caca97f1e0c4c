"""The evaluation wing: scoring the app's own code on public and frozen data sets.

Nothing in the app imports from here; the ``eval`` and ``bench`` commands do.
"""
