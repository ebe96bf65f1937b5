"""The theme: the newsletter's look and its fixed texts, declared once and checked.

``fields`` declares every theme setting once (its kind, default, check and
label), ``checks`` holds the checks, ``labels`` the default labels and font
stacks, and ``model`` the :class:`Theme` read from the library's settings.

May import: ``composer`` top-level modules and ``composer.library``.
Not: Qt, TinyDB, ``store``, ``ui``, nor ``digest``, ``email``, ``send``, ``cli``.
"""
