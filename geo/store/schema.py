"""The store's tables, and the steps that bring a database from one version to the next.

Each step is an Alembic operation script run inside one transaction, and the
version reached is recorded in ``meta``; :func:`upgrade` applies the steps a
database has not had yet, so an old file or server is brought up to date on
start. Never edit a released step: add the next one.

Version 1 keeps the register and the boundaries; version 2 adds editing:
a row version for optimistic locking, users, and the change history;
version 3 adds sign-in that survives a reload: a per-account session stamp
and the table holding the key session tokens are signed with.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from geo.schema import COLUMNS
from geo.store.access import StoreUnavailable

__all__ = ["CARRIER_TEXT_COLUMNS", "MIGRATIONS", "SCHEMA_VERSION", "boundaries", "carriers",
           "changes", "meta", "schema_version", "signing_keys", "upgrade", "users"]

CARRIER_TEXT_COLUMNS: tuple[str, ...] = COLUMNS
"""The register's columns, kept as the text the user entered (validated on the way in)."""

metadata = sa.MetaData()

meta = sa.Table(
    "meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)
carriers = sa.Table(
    "carriers", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    *(sa.Column(name, sa.Text) for name in CARRIER_TEXT_COLUMNS if name != "id"),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False, server_default="1"),
    sa.Column("updated_at", sa.Text),
    sa.Column("updated_by", sa.Text),
)
boundaries = sa.Table(
    "boundaries", metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("name_en", sa.Text),
    sa.Column("pinyin", sa.Text),
    sa.Column("aliases", sa.Text),
    sa.Column("approximate", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("geometry_wkb", sa.Text, nullable=False),
)
users = sa.Table(
    "users", metadata,
    sa.Column("username", sa.Text, primary_key=True),
    sa.Column("display_name", sa.Text),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("towns", sa.Text, nullable=False, server_default="[]"),
    sa.Column("password_hash", sa.Text),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.Text),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("session_stamp", sa.Text),
)
signing_keys = sa.Table(
    "signing_keys", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
)
changes = sa.Table(
    "changes", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("who", sa.Text, nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("carrier_id", sa.Text),
    sa.Column("before", sa.Text),
    sa.Column("after", sa.Text),
    sa.Column("batch", sa.Text),
    sa.Column("reverts", sa.BigInteger),
)


def _version_1(op: Operations) -> None:
    op.create_table("meta", sa.Column("key", sa.String(64), primary_key=True),
                    sa.Column("value", sa.BigInteger, nullable=False))
    op.create_table("carriers", sa.Column("id", sa.Text, primary_key=True),
                    *(sa.Column(name, sa.Text) for name in CARRIER_TEXT_COLUMNS if name != "id"),
                    sa.Column("position", sa.BigInteger, nullable=False))
    op.create_table("boundaries", sa.Column("name", sa.Text, primary_key=True),
                    sa.Column("name_en", sa.Text), sa.Column("pinyin", sa.Text),
                    sa.Column("aliases", sa.Text),
                    sa.Column("approximate", sa.Boolean, nullable=False,
                              server_default=sa.false()),
                    sa.Column("position", sa.Integer, nullable=False),
                    sa.Column("geometry_wkb", sa.Text, nullable=False))
    op.bulk_insert(meta, [{"key": "data_version", "value": 0}])


def _version_2(op: Operations) -> None:
    with op.batch_alter_table("carriers") as batch:
        batch.add_column(sa.Column("version", sa.BigInteger, nullable=False, server_default="1"))
        batch.add_column(sa.Column("updated_at", sa.Text))
        batch.add_column(sa.Column("updated_by", sa.Text))
    op.create_table("users", sa.Column("username", sa.Text, primary_key=True),
                    sa.Column("display_name", sa.Text),
                    sa.Column("role", sa.String(16), nullable=False),
                    sa.Column("towns", sa.Text, nullable=False, server_default="[]"),
                    sa.Column("password_hash", sa.Text),
                    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
                    sa.Column("locked_until", sa.Text),
                    sa.Column("created_at", sa.Text, nullable=False))
    op.create_table("changes",
                    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                              primary_key=True, autoincrement=True),
                    sa.Column("at", sa.Text, nullable=False),
                    sa.Column("who", sa.Text, nullable=False),
                    sa.Column("action", sa.String(16), nullable=False),
                    sa.Column("carrier_id", sa.Text), sa.Column("before", sa.Text),
                    sa.Column("after", sa.Text), sa.Column("batch", sa.Text),
                    sa.Column("reverts", sa.BigInteger))
    op.create_index("changes_carrier", "changes", ["carrier_id"])


def _version_3(op: Operations) -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_stamp", sa.Text))
    accounts = sa.table("users", sa.column("username", sa.Text),
                        sa.column("session_stamp", sa.Text))
    connection = op.get_bind()
    for username in connection.execute(sa.select(accounts.c.username)).scalars().all():
        connection.execute(sa.update(accounts).where(accounts.c.username == username)
                           .values(session_stamp=secrets.token_urlsafe(12)))
    op.create_table("signing_keys", sa.Column("name", sa.String(64), primary_key=True),
                    sa.Column("value", sa.Text, nullable=False),
                    sa.Column("created_at", sa.Text, nullable=False))


MIGRATIONS: tuple[Callable[[Operations], None], ...] = (_version_1, _version_2, _version_3)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(connection: sa.Connection) -> int:
    """The version a database is at; 0 for an empty one."""
    if not sa.inspect(connection).has_table("meta"):
        return 0
    value = connection.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version"))
    return int(value.scalar_one_or_none() or 0)


def upgrade(engine: sa.Engine, target: int = SCHEMA_VERSION) -> int:
    """Apply the missing steps up to ``target``, each in its own transaction; return the version.

    Raises
    ------
    StoreUnavailable
        When the database is newer than this code (it must not be written to).
    """
    with engine.connect() as connection:
        current = schema_version(connection)
    if current > SCHEMA_VERSION:
        raise StoreUnavailable("store.fault_schema_newer",
                               database=engine.url.render_as_string(hide_password=True),
                               version=current, supported=SCHEMA_VERSION)
    for step in range(current, target):
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(7310421)"))
            if schema_version(connection) != step:
                continue
            MIGRATIONS[step](Operations(MigrationContext.configure(connection)))
            values = {"key": "schema_version", "value": step + 1}
            if step == 0:
                connection.execute(sa.insert(meta).values(**values))
            else:
                connection.execute(sa.update(meta).where(meta.c.key == "schema_version")
                                   .values(value=step + 1))
    return max(current, target)
