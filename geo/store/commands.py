"""``python -m geo users ...`` and ``python -m geo store ...``: run by whoever runs the server.

The first administrator is created here (no default password exists
anywhere); imports can be run here too, with progress on stderr.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from geo._errors import InputFileError
from geo.i18n import translate
from geo.settings import data_paths, store_url
from geo.store.access import ROLES, NotFoundError, StoreError, ValidationFailed
from geo.store.imports import commit_import, preview_import_file
from geo.store.schema import SCHEMA_VERSION
from geo.store.setup import SYSTEM, open_store
from geo.store.store import Store
from geo.store.users import (
    actor_for,
    add_user,
    has_password,
    list_users,
    remove_user,
    set_password,
)

__all__ = ["add_commands", "run"]


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Add the ``users`` and ``store`` commands to the CLI's parser."""
    def with_database(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
        parser.add_argument("--database-url", help="SQLAlchemy URL (default: "
                            "CARRIER_MAP_DATABASE_URL, else the SQLite file of CARRIER_MAP_DB_PATH"
                            " or var/carrier-map.db)")
        return parser

    users = commands.add_parser("users", help="manage accounts / 管理用户").add_subparsers(
        dest="action", required=True)
    add = with_database(users.add_parser("add", help="create or change an account"))
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--town", action="append", default=[],
                     help="a town a town editor may edit (repeat for several)")
    add.add_argument("--display-name")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input instead of prompting")
    add.add_argument("--no-password", action="store_true",
                     help="no local password (signs in through the identity provider or proxy);"
                          " refused for an existing account that has one")
    add.add_argument("--clear-password", action="store_true",
                     help="remove an existing account's local password (ends its sign-ins)")
    with_database(users.add_parser("list", help="list accounts"))
    passwd = with_database(users.add_parser("passwd", help="set a password (ends the user's "
                                            "sign-ins)"))
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    remove = with_database(users.add_parser("remove", help="remove an account (ends its "
                                            "sign-ins; the change history keeps the name)"))
    remove.add_argument("username")

    store = commands.add_parser("store", help="the register database / 数据库").add_subparsers(
        dest="action", required=True)
    with_database(store.add_parser("upgrade", help="create or upgrade the database schema"))
    load = with_database(store.add_parser("import", help="import a CSV/xlsx register"))
    load.add_argument("file")
    load.add_argument("--as", dest="user", help="account to import as (default: system)")
    load.add_argument("--yes", action="store_true", help="commit without asking")
    load.add_argument("--sheet", help="worksheet to read from a workbook (default: the active "
                      "sheet with a header)")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password / 密码: ")
    if first != getpass.getpass("Again / 再次输入: "):
        raise SystemExit("passwords differ / 两次输入的密码不一致")
    return first


def run(args: argparse.Namespace) -> int:
    """Carry out a ``users`` or ``store`` command; return the exit code."""
    url = args.database_url or store_url(os.environ)
    store = None
    try:
        # Seeded with the towns the dashboard would use (CARRIER_MAP_BOUNDARIES), so whichever
        # starts first on a new database, the same towns are stored.
        store = open_store(url, seed=args.command == "store" and args.action == "upgrade",
                           boundaries=data_paths(os.environ).boundaries)
        if args.command == "users":
            return _users(store, args)
        return _store(store, args)
    except (StoreError, InputFileError) as error:
        print(error.message(args.lang if hasattr(args, "lang") else "zh"), file=sys.stderr)
        return 2
    finally:
        if store is not None:
            store.close()


def _users(store: Store, args: argparse.Namespace) -> int:
    if args.action == "list":
        print(list_users(store).to_string(index=False))
        return 0
    if args.action == "remove":
        remove_user(store, SYSTEM, args.username)
        print(f"removed {args.username} / 已删除用户 {args.username}")
        return 0
    if args.action == "passwd":
        if actor_for(store, args.username) is None:  # before asking for a password
            raise NotFoundError("store.user_not_found", user=args.username)
        set_password(store, SYSTEM, args.username, _password(args.password_stdin))
        return 0
    keep_none = args.no_password or args.clear_password
    if args.no_password and not args.clear_password and has_password(store, args.username):
        raise ValidationFailed("users.exists_with_password", user=args.username)
    add_user(store, SYSTEM, args.username, args.role, args.town,
             None if keep_none else _password(args.password_stdin), args.display_name,
             clear_password=args.clear_password)
    towns = actor_for(store, args.username).towns
    print(f"{args.username}: {args.role} {' '.join(sorted(towns))}".rstrip())
    if args.clear_password:
        print(translate("users.password_cleared", "zh", user=args.username))
    return 0


def _store(store: Store, args: argparse.Namespace) -> int:
    if args.action == "upgrade":
        print(f"{store.description}: schema version {SCHEMA_VERSION}")
        return 0
    actor = SYSTEM if not args.user else actor_for(store, args.user)
    if actor is None:
        raise NotFoundError("store.user_not_found", user=args.user)
    preview = preview_import_file(store, args.file, actor, sheet=args.sheet)
    for problem in [*preview.notes, *preview.problems]:
        print(problem.message("zh"), file=sys.stderr)
    for record in preview.rows.itertuples():
        if record.status == "refused":
            print(record.message.message("zh"), file=sys.stderr)
    counts = preview.counts()
    print(" ".join(f"{status} {count}" for status, count in counts.items()))
    if not args.yes and input("commit? / 确认导入？[y/N] ").strip().lower() not in {"y", "yes"}:
        print("cancelled / 已取消")
        return 1

    def progress(done: int, total: int) -> None:
        print(f"importing {done}/{total}", file=sys.stderr, flush=True)

    written = commit_import(store, preview, actor, progress=progress).written
    print(f"committed {written} / 已导入 {written} 条")
    return 0
