"""The schema: actors (and the parties they speak for), issues, sources, stances, history.

Every constraint is named through the metadata's naming convention so Alembic can
find and drop it (SQLite batch mode needs names) and autogenerate sees CHECKs.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from tracker.errors import TrackerError

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class ActorKind(enum.StrEnum):
    PERSON = "person"
    GOVERNMENT = "government"
    STATE = "state"
    ORGANISATION = "organisation"
    COALITION = "coalition"


class StanceStatus(enum.StrEnum):
    SUGGESTED = "suggested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class StanceOrigin(enum.StrEnum):
    ANALYST = "analyst"
    SUGGESTION = "suggestion"
    IMPORT = "import"


class StanceAction(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    ACCEPT = "accept"
    REJECT = "reject"
    DELETE = "delete"


class Attribution(enum.StrEnum):
    """How a position reached us, strongest first: the actor's own quoted words, the
    reporter's description of it, an unnamed source, or another actor's account of it."""

    ON_RECORD = "on_record"
    PARAPHRASE = "paraphrase"
    ANONYMOUS_SOURCE = "anonymous_source"
    REPORTED_BY_OTHER = "reported_by_other"


class Role(enum.StrEnum):
    """What an account may do; each role may do everything the roles before it may."""

    VIEWER = "viewer"
    ANALYST = "analyst"
    REVIEWER = "reviewer"
    ADMIN = "admin"


POSITION_MIN, POSITION_MAX = -2, 2
# The largest id or offset anyone may give: PostgreSQL's INTEGER (SQLite's is larger; a
# larger number overflowed its driver with a traceback).
MAX_ID = 2**31 - 1
POSITIONS = tuple(range(POSITION_MIN, POSITION_MAX + 1))


def scale_point(position: float) -> int:
    """The point of the scale a (possibly averaged) position reads as, halves rounded away
    from 0: a day's mean of -0.5 leans against (-1), it is not "neutral". Python's round()
    took -0.5 and +0.5 to 0, so a move between them was a shift "from neutral to neutral"."""
    point = math.floor(abs(position) + 0.5)
    return max(POSITION_MIN, min(POSITION_MAX, point if position >= 0 else -point))


def _in_list(column: str, values: type[enum.StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC timestamps on every backend (SQLite stores none)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(dt.UTC)
        # SQLite compares timestamps as text: store one naive UTC format.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)

    @staticmethod
    def sqlite_text(value: dt.datetime) -> str:
        """What binding ``value`` stores on SQLite (naive UTC in SQLAlchemy's default
        format), in one C call instead of two processors: for bulk inserts."""
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Actor(Base):
    """A person, government or organisation; parties are actors with no party above them."""

    __tablename__ = "actor"
    __table_args__ = (
        CheckConstraint(_in_list("kind", ActorKind), name="kind"),
        CheckConstraint("party_id IS NULL OR party_id <> id", name="not_own_party"),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    party_id: Mapped[int | None] = mapped_column(
        ForeignKey("actor.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    party: Mapped[Actor | None] = relationship(remote_side=[id], back_populates="members")
    members: Mapped[list[Actor]] = relationship(back_populates="party")
    aliases: Mapped[list[ActorAlias]] = relationship(
        back_populates="actor", cascade="all, delete-orphan", order_by="ActorAlias.alias"
    )

    def __repr__(self) -> str:
        return f"Actor({self.id}, {self.name!r})"


class ActorAlias(Base):
    """A name an actor is known by: spelling variant, title or metonym (Kyiv, the Kremlin).

    The actor's canonical name is stored here too, so one unique index keeps
    every name and alias pointing at exactly one actor, whatever the case.
    """

    __tablename__ = "actor_alias"
    __table_args__ = (CheckConstraint("length(trim(alias)) > 0", name="alias_not_blank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200))
    # casefold()ed alias: uniqueness and lookups ignore case on every backend.
    alias_key: Mapped[str] = mapped_column(String(200), unique=True)

    actor: Mapped[Actor] = relationship(back_populates="aliases")


class Issue(Base):
    """One question in the negotiation, with what each point of the -2..+2 scale means."""

    __tablename__ = "issue"
    __table_args__ = (
        CheckConstraint("length(slug) > 0", name="slug_not_blank"),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    label_neg2: Mapped[str] = mapped_column(String(200), default="Strongly oppose")
    label_neg1: Mapped[str] = mapped_column(String(200), default="Oppose")
    label_zero: Mapped[str] = mapped_column(String(200), default="Neutral or ambiguous")
    label_pos1: Mapped[str] = mapped_column(String(200), default="Support")
    label_pos2: Mapped[str] = mapped_column(String(200), default="Strongly support")

    def label(self, position: int) -> str:
        """The issue's own wording for a point on the scale."""
        return {
            -2: self.label_neg2,
            -1: self.label_neg1,
            0: self.label_zero,
            1: self.label_pos1,
            2: self.label_pos2,
        }[position]

    def labels(self) -> dict[int, str]:
        return {p: self.label(p) for p in POSITIONS}


class Source(Base):
    """An article, statement or transcript: the evidence stances quote from."""

    __tablename__ = "source"
    __table_args__ = (
        CheckConstraint("duplicate_of IS NULL OR duplicate_of <> id", name="not_own_duplicate"),
        CheckConstraint("split_from IS NULL OR split_from <> id", name="not_split_from_itself"),
        CheckConstraint(
            "similarity IS NULL OR (similarity >= 0 AND similarity <= 1)", name="similarity"
        ),
        # A source's story, coalesce(duplicate_of, id), is read for every counted stance
        # (rewrites count once). From this small index, not the table's pages of article
        # text: PostgreSQL hashed all 100k sources from the heap for a busy week's 28k
        # stances (208 ms of the weekly report's main read at 1M stances, now 81 ms).
        Index("ix_source_story", "id", "duplicate_of"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    outlet: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(2000), default="")
    published_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    duplicate_of: Mapped[int | None] = mapped_column(
        ForeignKey("source.id", ondelete="SET NULL"), index=True
    )
    ingested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # How similar this source is to the one it duplicates (0..1), when it is a rewrite.
    similarity: Mapped[float | None] = mapped_column(Float)
    # A story that was printed below another article ("Related Articles") and split off it.
    split_from: Mapped[int | None] = mapped_column(
        ForeignKey("source.id", ondelete="SET NULL"), index=True
    )
    # How the publication date was found ("page metadata", "stated in the text: ...").
    published_basis: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # What ingestion did that the analyst may want to check: encoding guesses, dropped lines.
    ingest_log: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, server_default=sql_text("'{}'")
    )
    # MinHash signature for finding rewrites of the same story (see tracker.dedup).
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)


class Mention(Base):
    """Where a known actor is named in a source, under any of its names."""

    __tablename__ = "mention"
    __table_args__ = (
        CheckConstraint("start_offset >= 0 AND end_offset > start_offset", name="offsets"),
        Index("ix_mention_source_start", "source_id", "start_offset"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id", ondelete="CASCADE"), index=True)
    start_offset: Mapped[int] = mapped_column(Integer)
    end_offset: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(200))


class Proposal(Base):
    """A text the negotiation revolves around: an outline, a plan, a counter-proposal."""

    __tablename__ = "proposal"
    __table_args__ = (CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # casefold()ed name: one proposal per name whatever the case, on every backend.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("actor.id", ondelete="RESTRICT"), index=True)
    proposed_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[Actor] = relationship()
    versions: Mapped[list[ProposalVersion]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalVersion.dated_on"
    )


class ProposalVersion(Base):
    """The proposal's text as of a date (the first version is dated when it was proposed)."""

    __tablename__ = "proposal_version"
    __table_args__ = (UniqueConstraint("proposal_id", "dated_on", name="uq_proposal_version_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    dated_on: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text, default="")

    proposal: Mapped[Proposal] = relationship(back_populates="versions")


class Stance(Base):
    """An actor's position on an issue on a date, proven by a quote from a source."""

    __tablename__ = "stance"
    __table_args__ = (
        CheckConstraint(f"position BETWEEN {POSITION_MIN} AND {POSITION_MAX}", name="position"),
        CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence"),
        CheckConstraint("quote_start >= 0 AND quote_end > quote_start", name="quote_offsets"),
        # The offsets must span exactly the quote; that the span matches the source
        # text is checked by the service, which can see both rows.
        CheckConstraint("quote_end - quote_start = length(quote)", name="quote_length"),
        CheckConstraint(_in_list("status", StanceStatus), name="status"),
        CheckConstraint(_in_list("origin", StanceOrigin), name="origin"),
        # NULL: not recorded (stances from before attribution was kept).
        CheckConstraint(
            f"attribution IS NULL OR {_in_list('attribution', Attribution)}", name="attribution"
        ),
        # The reporting actor is named exactly when another actor reported the position.
        CheckConstraint(
            "CASE WHEN attribution = 'reported_by_other' THEN reported_by_id IS NOT NULL "
            "ELSE reported_by_id IS NULL END",
            name="reported_by",
        ),
        CheckConstraint("reported_by_id IS NULL OR reported_by_id <> actor_id", name="not_self"),
        # A conditional stance says its condition; an unconditional one has none.
        CheckConstraint(
            "(conditional AND length(trim(condition)) > 0) OR (NOT conditional AND condition = '')",
            name="condition",
        ),
        # One stance per actor, issue, passage and coder: re-imports and suggestions never
        # duplicate, and two analysts double coding a source may quote the same passage.
        UniqueConstraint(
            "actor_id",
            "issue_id",
            "source_id",
            "quote_start",
            "quote_end",
            "coder",
            name="uq_stance_passage",
        ),
        # "Positions of these actors on this issue over time".
        Index("ix_stance_issue_actor_stated", "issue_id", "actor_id", "stated_on"),
        Index("ix_stance_actor_stated", "actor_id", "stated_on"),
        # "This issue's stances, oldest first, a page at a time" (the Stances page, exports
        # by issue): in date order within the issue, so a page stops after its rows.
        Index("ix_stance_issue_stated", "issue_id", "stated_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id", ondelete="RESTRICT"))
    issue_id: Mapped[int] = mapped_column(ForeignKey("issue.id", ondelete="RESTRICT"))
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="RESTRICT"), index=True)
    stated_on: Mapped[dt.date] = mapped_column(Date, index=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    quote: Mapped[str] = mapped_column(Text)
    quote_start: Mapped[int] = mapped_column(Integer)
    quote_end: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=StanceStatus.ACCEPTED.value, index=True)
    origin: Mapped[str] = mapped_column(String(20), default=StanceOrigin.ANALYST.value)
    annotator: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    attribution: Mapped[str | None] = mapped_column(String(20))
    reported_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("actor.id", ondelete="RESTRICT"), index=True
    )
    conditional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    condition: Mapped[str] = mapped_column(Text, default="", server_default="")

    # Who coded it: the name_key() of the analyst who recorded it (the name on its 'create'
    # event; ``annotator`` is whoever changed it last). Empty for suggestions: not a coder.
    coder: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The proposal the stance reacts to, if any ("rejected the outline of Putin's proposals").
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal.id", ondelete="RESTRICT"), index=True
    )

    actor: Mapped[Actor] = relationship(foreign_keys=[actor_id])
    reported_by: Mapped[Actor | None] = relationship(foreign_keys=[reported_by_id])
    proposal: Mapped[Proposal | None] = relationship()
    issue: Mapped[Issue] = relationship()
    source: Mapped[Source] = relationship()

    __mapper_args__ = {"version_id_col": version}


class DoubleCoding(Base):
    """A source put into double coding: its assigned analysts code it without seeing each
    other's stances until a reviewer closes it (see tracker.double_coding). The row stays
    after closing, so agreement is still measured over what was double-coded."""

    __tablename__ = "double_coding"

    source_id: Mapped[int] = mapped_column(
        ForeignKey("source.id", ondelete="CASCADE"), primary_key=True
    )
    opened_by: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_by: Mapped[str | None] = mapped_column(String(200))
    # NULL while open: analysts see only their own stances on the source.
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)

    coders: Mapped[list[DoubleCoder]] = relationship(
        cascade="all, delete-orphan", order_by="DoubleCoder.coder"
    )


class DoubleCoder(Base):
    """An analyst assigned to code a double-coded source (``coder`` as in ``stance.coder``)."""

    __tablename__ = "double_coder"
    __table_args__ = (CheckConstraint("length(coder) > 0", name="coder_not_blank"),)

    source_id: Mapped[int] = mapped_column(
        ForeignKey("double_coding.source_id", ondelete="CASCADE"), primary_key=True
    )
    coder: Mapped[str] = mapped_column(String(200), primary_key=True)


class StanceEvent(Base):
    """Append-only history: every create, update, accept, reject and delete of a stance.

    ``stance_id`` is deliberately not a foreign key: the history of a deleted
    stance must outlive it.
    """

    __tablename__ = "stance_event"
    __table_args__ = (
        CheckConstraint(_in_list("action", StanceAction), name="action"),
        Index("ix_stance_event_stance_at", "stance_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stance_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    annotator: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


@event.listens_for(StanceEvent, "before_update")
@event.listens_for(StanceEvent, "before_delete")
def _history_is_append_only(_mapper: Any, _connection: Any, event_row: StanceEvent) -> None:
    # The audit trail is only ever added to: no service, page or command changes a row.
    raise TrackerError(f"history event {event_row.id} cannot be changed or deleted")


class PositionDay(Base):
    """An actor's position on an issue on one day, as the default views count it.

    Derived data: the per-day rows :func:`tracker.timelines.day_positions` computes from
    accepted stances (a story counted once, the day's mean, the stance closest to it).
    Every service that writes stances or re-links stories refreshes the days it touched
    (:mod:`tracker.position_days`), so timelines, the matrix and the weekly report read a
    few rows here instead of windowing over every stance.
    """

    __tablename__ = "position_day"
    __table_args__ = (
        # Actor profile and "as of" lookups go actor first; the report reads a week of days.
        Index("ix_position_day_actor_issue_day", "actor_id", "issue_id", "day"),
        Index("ix_position_day_day", "day"),
    )

    issue_id: Mapped[int] = mapped_column(
        ForeignKey("issue.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[int] = mapped_column(
        ForeignKey("actor.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    position: Mapped[float] = mapped_column(Float)
    stances: Mapped[int] = mapped_column(Integer)  # stances that made the day
    stance_id: Mapped[int] = mapped_column(
        ForeignKey("stance.id", ondelete="CASCADE"), index=True
    )  # the day's representative stance


class Account(Base):
    """Someone who may sign in to the dashboard, with the role that says what they may do.

    Only a slow salted hash of the password is kept (see tracker.accounts). Failed logins
    are counted here, not in the browser session, so a new session does not reset them.
    """

    __tablename__ = "account"
    __table_args__ = (
        CheckConstraint(_in_list("role", Role), name="role"),
        CheckConstraint("length(trim(username)) > 0", name="username_not_blank"),
        CheckConstraint("failed_logins >= 0", name="failed_logins"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    # casefold()ed user name: "Ana" and "ana" are one account on every backend.
    username_key: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    # Empty for an account that signs in through the single sign-on proxy only.
    password_hash: Mapped[str] = mapped_column(String(200), default="")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    # When the current run of failures began, and until when logins are refused.
    failed_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
