"""Offline word lists the engines share: the drug dictionary (brands, synonyms, generic names).

A bottom layer: imports only ``desktop.core`` and ``desktop.paths``, so speech recognition,
the fact guard and the note checks can all use it.
"""

from desktop.lexicon.drugs import DrugLexicon, DrugMention

__all__ = ["DrugLexicon", "DrugMention"]
