"""Compare scenarios (configs or finished runs): each one's estimands per indicator and the
differences from the first, paired on common seeds where the scenarios share a population.

Public API: :func:`~.core.load_entry`, :func:`~.core.pairing`, :func:`~.core.run_entries`,
:func:`~.core.compare`, :func:`~.core.tidy`; the ``scoresim compare`` command is in
:mod:`.commands`.
"""

from .core import Entry, compare, load_entry, pairing, run_entries, tidy

__all__ = ["Entry", "compare", "load_entry", "pairing", "run_entries", "tidy"]
