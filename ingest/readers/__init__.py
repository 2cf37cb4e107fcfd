"""Readers: pure functions from a file's bytes to typed rows and rejects (see ``ingest.contract``).

Each module here (``queue_log``, ``cdr_csv``, ...) exposes ``TABLE``, ``SCHEMA``,
``NATURAL_KEY``, ``sniff(head, name)`` and ``read(data, *, start_offset, first_line, options)``.
"""
