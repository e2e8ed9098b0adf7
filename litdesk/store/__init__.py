"""The library: SQLAlchemy models, schema migrations and the Library facade. No Qt."""
