"""Position Tracker: who took which position on which issue, when, and the quote that proves it."""

__version__ = "0.1.0"
