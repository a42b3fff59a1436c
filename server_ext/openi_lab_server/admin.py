"""``openi-lab admin``: create users, orgs, teams and tokens straight in the database.

For the first admin of a new platform, scripts and recovery; uses the same services as the
API, with site-admin rights, after applying migrations.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from openi_lab import schemas as s

from .config import default_data_dir, default_database_url
from .db import migrate
from .services.container import Platform
from .services.errors import DomainError
from .services.pagination import PageRequest
from .services.principal import Principal


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="openi-lab admin", description=__doc__.split("\n")[0])
    p.add_argument("--data-dir", default=None, help="platform data dir (default: as the server)")
    p.add_argument("--database-url", default=None, help="overrides the data dir's database")
    sub = p.add_subparsers(dest="what", required=True)

    user = sub.add_parser("user").add_subparsers(dest="action", required=True)
    uc = user.add_parser("create")
    uc.add_argument("username")
    uc.add_argument("--full-name", default="")
    uc.add_argument("--email", default=None)
    uc.add_argument("--admin", action="store_true")
    user.add_parser("list")

    org = sub.add_parser("org").add_subparsers(dest="action", required=True)
    oc = org.add_parser("create")
    oc.add_argument("name")
    oc.add_argument("--owner", required=True, help="the first owner (a username)")
    oc.add_argument("--full-name", default="")
    oc.add_argument("--description", default="")
    oc.add_argument("--private", action="store_true")
    om = org.add_parser("add-member")
    om.add_argument("org")
    om.add_argument("username")
    om.add_argument("--owner", action="store_true")

    team = sub.add_parser("team").add_subparsers(dest="action", required=True)
    tc = team.add_parser("create")
    tc.add_argument("org")
    tc.add_argument("name")
    tc.add_argument("--permission", choices=[p.value for p in s.TeamPermission], default="read")
    ta = team.add_parser("add")
    ta.add_argument("org")
    ta.add_argument("team")
    ta.add_argument("username")

    token = sub.add_parser("token").add_subparsers(dest="action", required=True)
    kc = token.add_parser("create")
    kc.add_argument("username")
    kc.add_argument("--name", default="cli")
    kc.add_argument("--scopes", default="read,write", help="comma-separated: read,write,admin")
    kc.add_argument("--expires-in-days", type=int, default=30, help="0: never expires")

    sub.add_parser(
        "search-rebuild", help="re-create the search index from the tables (any time, online)"
    ).set_defaults(action="")
    sub.add_parser("index-recompute", help="recompute the OpenI index now").set_defaults(action="")
    return p


async def run(args: argparse.Namespace) -> str:
    data_dir = args.data_dir or default_data_dir()
    url = args.database_url or default_database_url(data_dir)
    platform = Platform.build(url, data_dir=data_dir)
    try:
        await migrate.upgrade(platform.engine)
        root = Principal(id=0, username="admin-cli", is_admin=True)
        acc = platform.accounts
        key = (args.what, args.action)
        if key == ("user", "create"):
            user_body = s.UserCreate(
                username=args.username,
                full_name=args.full_name,
                email=args.email,
                is_admin=args.admin,
            )
            user = await acc.create_user(root, user_body)
            return f"created user {user.username}" + (" (site admin)" if user.is_admin else "")
        if key == ("user", "list"):
            page = await acc.list_users(None, PageRequest(1, 100))
            return "\n".join(
                f"{u.username}\t{u.full_name}\t{'admin' if u.is_admin else ''}" for u in page.items
            )
        if key == ("org", "create"):
            owner = await _principal(platform, args.owner)
            vis = s.Visibility.private if args.private else s.Visibility.public
            org_body = s.OrgCreate(
                name=args.name,
                full_name=args.full_name,
                description=args.description,
                visibility=vis,
            )
            org = await acc.create_org(owner, org_body)
            return f"created {org.visibility.value} organisation {org.name} owned by {args.owner}"
        if key == ("org", "add-member"):
            role = s.OrgRole.owner if args.owner else s.OrgRole.member
            await acc.set_member(root, args.org, args.username, role)
            return f"{args.username} is now {role.value} of {args.org}"
        if key == ("team", "create"):
            perm = s.TeamPermission(args.permission)
            team = await acc.create_team(
                root, args.org, s.TeamCreate(name=args.name, permission=perm)
            )
            return f"created team {team.org}/{team.name} ({team.permission.value})"
        if key == ("team", "add"):
            await acc.add_team_member(root, args.org, args.team, args.username)
            return f"added {args.username} to {args.org}/{args.team}"
        if key == ("token", "create"):
            owner = await _principal(platform, args.username)
            scopes = [s.Scope(x.strip()) for x in args.scopes.split(",") if x.strip()]
            days = args.expires_in_days or None
            token_body = s.TokenCreate(name=args.name, scopes=scopes, expires_in_days=days)
            token = await platform.tokens.create(owner, token_body)
            return token.token
        if key == ("search-rebuild", ""):
            return "rebuilt the search index of: " + ", ".join(await platform.search.rebuild())
        if key == ("index-recompute", ""):
            done = await platform.openi_index.recompute()
            return f"computed the OpenI index of {done.projects} projects"
        raise SystemExit(f"unknown command {key}")
    finally:
        await platform.close()


async def _principal(platform: Platform, username: str) -> Principal:
    user = await platform.accounts.get_user(username)
    return await platform.accounts.principal(user.id)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    Path(args.data_dir or default_data_dir()).mkdir(parents=True, exist_ok=True)
    try:
        print(asyncio.run(run(args)))
    except DomainError as exc:
        print(f"openi-lab admin: {exc.message}", file=sys.stderr)
        return 1
    except ValueError as exc:  # pydantic validation of names, e-mails, scopes
        print(f"openi-lab admin: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
