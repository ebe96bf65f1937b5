"""Newsdigest's Qt interface: models over core objects, views, dialogs, background operations.

The only package that imports PySide6. It holds no business logic: it calls
``composer`` (the core) and receives the library from the composition root.
"""
