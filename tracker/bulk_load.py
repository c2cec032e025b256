"""Writing many rows into SQLite fast, inside the caller's transaction.

A large import into a small table spends most of its database time keeping secondary
indexes in step, one random B-tree insert per index per row; building an index once from
the finished table sorts instead, several times faster. :class:`DeferredIndexes` drops a
table's plain (non-unique) indexes and creates them again from the models' own
definitions before the transaction commits. SQLite's DDL is transactional, so a failed
import rolls the drop back with everything else; unique constraints, foreign keys and
CHECKs are never dropped and are enforced row by row as usual. Other connections keep
reading the last committed state, indexes included (WAL). On PostgreSQL nothing changes:
dropping an index there would lock the table against readers for the whole import.
"""

from __future__ import annotations

from sqlalchemy import Connection, Index, Table
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateIndex, DropIndex

# A larger page cache for the import's connection: the unique passage index and the
# indexes kept for the import's own lookups stay in memory (2 MB by default). Bounded,
# so memory does not grow with the database.
CACHE_KIB = 64 * 1024


class DeferredIndexes:
    """The plain indexes of ``tables`` (except ``keep``), dropped by :meth:`defer` and
    created again by :meth:`restore`; on SQLite only. Leaving the ``with`` block gives the
    connection back its page cache size, whatever happened."""

    def __init__(self, session: Session, tables: list[Table], keep: set[str]) -> None:
        self.session = session
        self.tables = tables
        self.keep = keep
        self.dropped: list[Index] = []
        self.cache: int | None = None

    def __enter__(self) -> DeferredIndexes:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.cache is not None:  # a pragma: not undone by a rollback
            self._connection().exec_driver_sql(f"PRAGMA cache_size={self.cache}")
            self.cache = None

    def defer(self) -> None:
        if self.session.get_bind().dialect.name != "sqlite" or self.dropped:
            return
        self.dropped = [
            index
            for table in self.tables
            for index in sorted(table.indexes, key=lambda i: str(i.name))
            if not index.unique and index.name not in self.keep
        ]
        for index in self.dropped:
            self.session.execute(DropIndex(index))
        connection = self._connection()
        self.cache = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
        connection.exec_driver_sql(f"PRAGMA cache_size=-{CACHE_KIB}")

    def restore(self) -> None:
        """Create the dropped indexes again, from the tables as they are now."""
        for index in self.dropped:
            self.session.execute(CreateIndex(index))
        self.dropped = []

    def _connection(self) -> Connection:
        return self.session.connection()
