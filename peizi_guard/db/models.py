"""SQLAlchemy 2 models. Portable types only: the same schema runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Source(Base):
    """An official publisher's list (e.g. csrc-peizi)."""

    __tablename__ = "sources"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    publisher: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    url: Mapped[str] = mapped_column(String(2000), default="")
    kind: Mapped[str] = mapped_column(String(16), default="official")  # official | user (imported by a user)
    # validators of the landing page last fetched (page_url), for conditional GET on the next refresh
    page_url: Mapped[str] = mapped_column(String(2000), default="")
    page_etag: Mapped[str] = mapped_column(String(500), default="")
    page_last_modified: Mapped[str] = mapped_column(String(100), default="")
    checked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # set by `revert`: this snapshot is current until a newer document arrives
    pinned_snapshot_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    snapshots: Mapped[list["Snapshot"]] = relationship(back_populates="source", order_by="Snapshot.id")


class Snapshot(Base):
    """One distinct ingested document (by sha256), with its raw bytes."""

    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("source_id", "sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    published: Mapped[date | None] = mapped_column(Date, nullable=True)
    # where the document sits in the publisher's series: its publication date, else the date its
    # contents reach (SAC: the latest 发现时间), else the day it was fetched
    order_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    fetched_at: Mapped[datetime] = mapped_column(DateTime)
    sha256: Mapped[str] = mapped_column(String(64))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    entry_count: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(16))
    origin: Mapped[str] = mapped_column(String(2000), default="")  # file path or URL
    issue: Mapped[str] = mapped_column(String(200), default="")
    etag: Mapped[str] = mapped_column(String(500), default="")
    last_modified: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[Source] = relationship(back_populates="snapshots")


class Entry(Base):
    """A listed platform or site; one row per identity across a source's snapshots."""

    __tablename__ = "entries"
    __table_args__ = (UniqueConstraint("source_id", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    key: Mapped[str] = mapped_column(String(500))
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(500))
    data: Mapped[str] = mapped_column(Text)  # the parsed record as JSON
    first_snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"))
    last_snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"))


class Membership(Base):
    """Which entries a snapshot lists, in which position: the list as it stood that day."""

    __tablename__ = "memberships"
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), primary_key=True, index=True)
    seq: Mapped[int] = mapped_column(Integer)


class ReadModel(Base):
    """Derived, rebuilt in the same transaction as every ingest: the current lists as one JSON
    document, so that read-only commands answer without loading the ORM."""

    __tablename__ = "read_models"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)


class Event(Base):
    """Something done to a source's list other than adding a document: a revert."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(16))  # revert
    snapshot_id: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(500), default="")
    replaced_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the list current before


class ScanResult(Base):
    """One scanned URL (the `scan` command)."""

    __tablename__ = "scan_results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), index=True)
    fetched_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    verdict: Mapped[str] = mapped_column(String(16))
    result: Mapped[str] = mapped_column(Text)  # the full result as JSON
