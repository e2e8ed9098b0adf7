"""SQLAlchemy ORM rows of a litdesk library (portable: SQLite now, PostgreSQL later).

Rows are named ``...Row`` and never leave ``litdesk.store``: the rest of the app sees the
plain dataclasses of :mod:`litdesk.core.model`. The tables are created and changed only by
the Alembic migrations in ``litdesk/store/migrations``; this module must describe the schema
those migrations produce (a test compares them).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class MetaRow(Base):
    """Key/value facts about the library (its identity marker, settings)."""

    __tablename__ = "library_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class BatchRow(Base):
    """One imported file: which records it brought, so the import can be undone."""

    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[str] = mapped_column(String(32), default="")
    encoding: Mapped[str] = mapped_column(String(32), default="")
    format: Mapped[str] = mapped_column(String(32), default="")
    added: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    coder: Mapped[str] = mapped_column(String(128), default="")
    # PRISMA counts (migration 0008): records read, certain duplicates skipped within the file
    # and against the library (``duplicates`` is their sum), possible duplicates flagged.
    read: Mapped[int] = mapped_column(Integer, default=0)
    in_file: Mapped[int] = mapped_column(Integer, default=0)
    in_library: Mapped[int] = mapped_column(Integer, default=0)
    possible: Mapped[int] = mapped_column(Integer, default=0)


class RecordRow(Base):
    """A bibliographic record. ``tags`` holds the source's RIS tags verbatim, in order."""

    __tablename__ = "record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id", ondelete="SET NULL"), nullable=True
    )
    ris_type: Mapped[str] = mapped_column(String(16), default="GEN")
    title: Mapped[str] = mapped_column(Text, default="")
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    journal: Mapped[str] = mapped_column(Text, default="")
    volume: Mapped[str] = mapped_column(String(64), default="")
    issue: Mapped[str] = mapped_column(String(64), default="")
    pages: Mapped[str] = mapped_column(String(64), default="")
    doi: Mapped[str] = mapped_column(Text, default="")
    pmid: Mapped[str] = mapped_column(String(32), default="")
    pmcid: Mapped[str] = mapped_column(String(32), default="")
    accessions: Mapped[list[str]] = mapped_column(JSON, default=list)
    urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    abstract: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Derived keys, kept in columns so that sorting and duplicate checks use indexes.
    author_key: Mapped[str] = mapped_column(String(255), default="")
    title_key: Mapped[str] = mapped_column(String(255), default="")
    journal_key: Mapped[str] = mapped_column(String(255), default="")
    doi_key: Mapped[str] = mapped_column(String(255), default="")
    dup_key: Mapped[str] = mapped_column(String(400), default="")
    has_suggestions: Mapped[bool] = mapped_column(Boolean, default=False)
    added_at: Mapped[str] = mapped_column(String(32), default="")

    __table_args__ = (
        Index("ix_record_author_key", "author_key"),
        Index("ix_record_title_key", "title_key"),
        Index("ix_record_journal_key", "journal_key"),
        Index("ix_record_year", "year"),
        Index("ix_record_doi_key", "doi_key"),
        Index("ix_record_pmid", "pmid"),
        Index("ix_record_dup_key", "dup_key"),
        Index("ix_record_batch", "batch_id"),
    )


class SpanRow(Base):
    """A section label on ``abstract[start:end]`` (Python string indices), by one coder."""

    __tablename__ = "span"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"))
    coder: Mapped[str] = mapped_column(String(128))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_span_record_coder", "record_id", "coder"),)


class MemoRow(Base):
    """A coder's free-text memo on a record."""

    __tablename__ = "memo"
    record_id: Mapped[int] = mapped_column(
        ForeignKey("record.id", ondelete="CASCADE"), primary_key=True
    )
    coder: Mapped[str] = mapped_column(String(128), primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[str] = mapped_column(String(32), default="")


class StatusRow(Base):
    """A coder's progress on a record: sections tagged, done mark, suggestion decision."""

    __tablename__ = "coding_status"
    record_id: Mapped[int] = mapped_column(
        ForeignKey("record.id", ondelete="CASCADE"), primary_key=True
    )
    coder: Mapped[str] = mapped_column(String(128), primary_key=True)
    sections: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    suggestions: Mapped[str] = mapped_column(String(16), default="")  # "", "accepted", "rejected"

    __table_args__ = (Index("ix_status_coder_sections", "coder", "sections"),)


class IdentifierRow(Base):
    """One identifier of a record, as duplicate look-ups find it: ``doi:...``, ``pmid:...``,
    ``pmcid:...`` or an accession number prefixed by its database."""

    __tablename__ = "record_identifier"
    record_id: Mapped[int] = mapped_column(
        ForeignKey("record.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[str] = mapped_column(String(255), primary_key=True)

    __table_args__ = (Index("ix_record_identifier_value", "value"),)


class PairRow(Base):
    """Two records that may be the same paper, the evidence, and the researcher's decision."""

    __tablename__ = "duplicate_pair"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_a: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"))
    record_b: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"))
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [field, relation, detail]
    reason: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(String(16), default="pending")  # kept, merged
    decided_at: Mapped[str] = mapped_column(String(32), default="")
    decided_by: Mapped[str] = mapped_column(String(128), default="")

    __table_args__ = (UniqueConstraint("record_a", "record_b", name="uq_duplicate_pair"),
                      Index("ix_duplicate_pair_b", "record_b"),
                      Index("ix_duplicate_pair_decision", "decision"))


class MergeRow(Base):
    """A merge of two records, with what it replaced, so that it can be undone."""

    __tablename__ = "merge_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kept_id: Mapped[int] = mapped_column(Integer)
    removed_id: Mapped[int] = mapped_column(Integer)
    merged_at: Mapped[str] = mapped_column(String(32), default="")
    coder: Mapped[str] = mapped_column(String(128), default="")
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # both records' rows
    undone_at: Mapped[str] = mapped_column(String(32), default="")


class DecisionRow(Base):
    """One screener's decision on a record: include, exclude or maybe (migration 0009)."""

    __tablename__ = "screening_decision"
    record_id: Mapped[int] = mapped_column(
        ForeignKey("record.id", ondelete="CASCADE"), primary_key=True
    )
    coder: Mapped[str] = mapped_column(String(128), primary_key=True)
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")  # an exclusion reason's name
    note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[str] = mapped_column(String(32), default="")

    __table_args__ = (Index("ix_screening_decision_coder", "coder", "decision"),)


class ReasonRow(Base):
    """An exclusion reason of the team's list: name, key, place in the list."""

    __tablename__ = "screening_reason"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(8), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class ConsensusRow(Base):
    """The decision that settles a record's screening for everyone."""

    __tablename__ = "screening_consensus"
    record_id: Mapped[int] = mapped_column(
        ForeignKey("record.id", ondelete="CASCADE"), primary_key=True
    )
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(128), default="")
    decided_at: Mapped[str] = mapped_column(String(32), default="")


class TermRow(Base):
    """A word the team highlights in abstracts: ``kind`` include or exclude."""

    __tablename__ = "screening_term"
    term: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))



class LearnedModelRow(Base):
    """The library's own model of one kind (``name``), learned from its coding (0010)."""

    __tablename__ = "learned_model"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    model: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # None: reset
    in_use: Mapped[bool] = mapped_column(Boolean, default=False)
    base: Mapped[str] = mapped_column(String(64), default="")  # the built-in model it adapts
    done_seen: Mapped[int] = mapped_column(Integer, default=0)  # done abstracts at learning
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    learned_at: Mapped[str] = mapped_column(String(32), default="")
    coder: Mapped[str] = mapped_column(String(128), default="")


def table_of(row: type[Base]) -> Table:
    """The Core table of a mapped row class (its ``__table__``, typed as the Table it is)."""
    table = row.__table__
    assert isinstance(table, Table)
    return table
