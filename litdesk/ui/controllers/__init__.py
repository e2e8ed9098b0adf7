"""What the user does, turned into library changes: given the library holder, never the window."""
