"""Widgets, dialogs and table models: they show things and emit what the user did."""
