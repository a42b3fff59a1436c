"""/orgs/{org}/teams and team members."""

from __future__ import annotations

from openi_lab import schemas as s

from .base import BaseHandler, endpoint


class TeamsHandler(BaseHandler):
    @endpoint(
        "Teams of an organisation (members)",
        tag="teams",
        response=s.Page[s.Team],
        query=("page", "per_page"),
    )
    async def get(self, org: str):
        return await self.platform.accounts.list_teams(self.actor, org, self.page_request())

    @endpoint("Create a team (owners)", tag="teams", body=s.TeamCreate, response=s.Team, status=201)
    async def post(self, body: s.TeamCreate, org: str) -> s.Team:
        return await self.platform.accounts.create_team(self.actor, org, body)


class TeamHandler(BaseHandler):
    @endpoint("One team", tag="teams", response=s.Team)
    async def get(self, org: str, team: str) -> s.Team:
        return await self.platform.accounts.get_team(self.actor, org, team)

    @endpoint("Edit a team (owners)", tag="teams", body=s.TeamUpdate, response=s.Team)
    async def patch(self, body: s.TeamUpdate, org: str, team: str) -> s.Team:
        return await self.platform.accounts.update_team(self.actor, org, team, body)

    @endpoint("Delete a team (owners)", tag="teams", status=204)
    async def delete(self, org: str, team: str) -> None:
        await self.platform.accounts.delete_team(self.actor, org, team)


class TeamMembersHandler(BaseHandler):
    @endpoint("Members of a team", tag="teams", response=s.Page[s.User], query=("page", "per_page"))
    async def get(self, org: str, team: str):
        return await self.platform.accounts.list_team_members(
            self.actor, org, team, self.page_request()
        )


class TeamMemberHandler(BaseHandler):
    @endpoint("Add a user to a team (owners)", tag="teams", response=s.User)
    async def put(self, org: str, team: str, username: str) -> s.User:
        return await self.platform.accounts.add_team_member(self.actor, org, team, username)

    @endpoint("Remove a user from a team (owners)", tag="teams", status=204)
    async def delete(self, org: str, team: str, username: str) -> None:
        await self.platform.accounts.remove_team_member(self.actor, org, team, username)
