"""Demo data shipped inside the installed package as ``tracker.seeds`` (see pyproject.toml)."""
