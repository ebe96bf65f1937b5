"""``make email-checks``: Newsdigest's emails checked with tools nobody here wrote.

For every theme, the digest of the sample library and of the listing fixture is
built with the ``newsdigest`` command (:mod:`tools.email_checks.emails`), then
checked (:mod:`tools.email_checks.checks`) with ``newsdigest check``,
SpamAssassin (local rules), axe-core in headless Chromium, doiuse-email over the
caniemail data (against the same digest compiled with MJML) and the Nu validator.
:mod:`tools.email_checks.report` prints the table; ``python -m tools.email_checks``
runs it all and exits 1 when a target is missed.
"""
