"""/user (me), /users."""

from __future__ import annotations

from openi_lab import schemas as s

from .base import BaseHandler, endpoint


class MeHandler(BaseHandler):
    @endpoint("The signed-in user", tag="users", response=s.User)
    async def get(self) -> s.User:
        return await self.platform.accounts.me(self.actor)


class UsersHandler(BaseHandler):
    @endpoint("List users", tag="users", response=s.Page[s.User], query=("q", "page", "per_page"))
    async def get(self):
        return await self.platform.accounts.list_users(self.str_arg("q"), self.page_request())

    @endpoint(
        "Create a user (site admins)",
        tag="users",
        body=s.UserCreate,
        response=s.User,
        status=201,
        scope=s.Scope.admin,
    )
    async def post(self, body: s.UserCreate) -> s.User:
        return await self.platform.accounts.create_user(self.actor, body)


class UserHandler(BaseHandler):
    @endpoint("One user", tag="users", response=s.User)
    async def get(self, username: str) -> s.User:
        return await self.platform.accounts.get_user(username)


class UserOrgsHandler(BaseHandler):
    @endpoint(
        "A user's organisations (those the caller may see)",
        tag="orgs",
        response=s.Page[s.Org],
        query=("page", "per_page"),
    )
    async def get(self, username: str):
        return await self.platform.accounts.list_orgs(
            self.actor, None, self.page_request(), member=username
        )


class MyOrgsHandler(BaseHandler):
    @endpoint(
        "The signed-in user's organisations",
        tag="orgs",
        response=s.Page[s.Org],
        query=("page", "per_page"),
    )
    async def get(self):
        return await self.platform.accounts.list_orgs(
            self.actor, None, self.page_request(), member=self.actor.username
        )
