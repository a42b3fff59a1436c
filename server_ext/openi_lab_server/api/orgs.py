"""/orgs and their members."""

from __future__ import annotations

from openi_lab import schemas as s

from .base import BaseHandler, endpoint


class OrgsHandler(BaseHandler):
    @endpoint(
        "List organisations the caller may see",
        tag="orgs",
        response=s.Page[s.Org],
        query=("q", "page", "per_page"),
    )
    async def get(self):
        return await self.platform.accounts.list_orgs(
            self.actor, self.str_arg("q"), self.page_request()
        )

    @endpoint(
        "Create an organisation (the caller becomes its owner)",
        tag="orgs",
        body=s.OrgCreate,
        response=s.Org,
        status=201,
    )
    async def post(self, body: s.OrgCreate) -> s.Org:
        return await self.platform.accounts.create_org(self.actor, body)


class OrgHandler(BaseHandler):
    @endpoint("One organisation", tag="orgs", response=s.Org)
    async def get(self, org: str) -> s.Org:
        return await self.platform.accounts.get_org(self.actor, org)

    @endpoint("Edit an organisation (owners)", tag="orgs", body=s.OrgUpdate, response=s.Org)
    async def patch(self, body: s.OrgUpdate, org: str) -> s.Org:
        return await self.platform.accounts.update_org(self.actor, org, body)


class OrgMembersHandler(BaseHandler):
    @endpoint(
        "Members of an organisation",
        tag="orgs",
        response=s.Page[s.Member],
        query=("page", "per_page"),
    )
    async def get(self, org: str):
        return await self.platform.accounts.list_members(self.actor, org, self.page_request())


class OrgMemberHandler(BaseHandler):
    @endpoint(
        "Add a member or change their role (owners)",
        tag="orgs",
        body=s.MemberSet,
        response=s.Member,
    )
    async def put(self, body: s.MemberSet, org: str, username: str) -> s.Member:
        return await self.platform.accounts.set_member(self.actor, org, username, body.role)

    @endpoint("Remove a member (owners), or leave", tag="orgs", status=204)
    async def delete(self, org: str, username: str) -> None:
        await self.platform.accounts.remove_member(self.actor, org, username)
