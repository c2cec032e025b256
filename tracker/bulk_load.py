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

The page cache is left at its default: a 64 MiB cache raised the import's peak memory by
as much at 100k rows and more at 1M (CREATE INDEX sorts in cache-sized runs).
"""

from __future__ import annotations

from sqlalchemy import Index, Table
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateIndex, DropIndex


class DeferredIndexes:
    """The plain indexes of ``tables`` (except ``keep``), dropped by :meth:`defer` and
    created again by :meth:`restore`; on SQLite only."""

    def __init__(self, session: Session, tables: list[Table], keep: set[str]) -> None:
        self.session = session
        self.tables = tables
        self.keep = keep
        self.dropped: list[Index] = []

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

    def restore(self) -> None:
        """Create the dropped indexes again, from the tables as they are now."""
        for index in self.dropped:
            self.session.execute(CreateIndex(index))
        self.dropped = []
