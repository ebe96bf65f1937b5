"""The library on PostgreSQL: a team's shared library, opened by a ``postgresql://`` url.

* :mod:`store.postgres.library`: :class:`PostgresLibrary`, the whole
  :class:`composer.repository.Library` protocol over psycopg 3 and a small pool;
* :mod:`store.postgres.connect`: the url as libpq reads it (TLS, ``.pgpass``…), the
  keychain's password when libpq has none, timeouts, the driver's errors in words;
* :mod:`store.postgres.password_source`: which place gave a password the server refused;
* :mod:`store.postgres.schema`: the tables, as versioned forward migrations applied at
  a writer's open;
* :mod:`store.postgres.items`: items and their duplicates, decided under row locks;
* :mod:`store.postgres.digests`: digests with a version; a save over a newer one refused;
* :mod:`store.postgres.send_log`: send-log entries upserted with the store's merge;
* :mod:`store.postgres.locks`: one sender per digest, an advisory lock held for a run;
* :mod:`store.postgres.documents`: JSON documents encoded as the file store encodes them.

Only :func:`store.open_library` imports this package, and only for a database url.
"""

from __future__ import annotations

from store.postgres.library import PostgresLibrary

__all__ = ["PostgresLibrary"]
