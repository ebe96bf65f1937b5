"""The email: rendering (Jinja2 + premailer), preflight checks, export, unsubscribe.

``render`` (with ``render_cache``,
``render_context``, ``template_env``, ``campaign``) turns a digest into the
email-safe HTML and text, once per content change; ``preflight`` (with
``finding``, ``html_checks``, ``client_support`` over the caniemail tables) and
``readiness`` find what would show badly in inboxes; ``export`` writes the files
a mailing tool takes; ``unsubscribe`` and ``header_fold`` are message rules
shared with sending; ``preview_frames`` are the preview-only views.

May import: ``composer`` top-level modules, ``composer.library``, ``composer.theme``,
``composer.digest``.
Not: Qt, TinyDB, ``store``, ``ui``, ``composer.send``, ``composer.cli``.
"""
