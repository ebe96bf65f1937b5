"""Newsdigest's bundled Jinja2 email templates (a package so they ship inside the wheel).

Each theme is a folder: ``default/digest.html`` (the email) and
``default/digest.txt`` (its plain-text alternative). They are loaded with
:mod:`importlib.resources` by :mod:`composer.email.render`; a user templates folder with
the same layout overrides them file by file.
"""
