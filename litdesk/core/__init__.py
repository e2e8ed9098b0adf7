"""Qt-free domain logic: reading RIS, spans, section suggestions, export writers."""
