"""Organisations, membership, teams and the permissions they imply."""

from __future__ import annotations


async def test_create_org_makes_the_creator_owner(as_user):
    bob = await as_user("bob")
    r = await bob.post("orgs", {"name": "PCL", "full_name": "鹏城实验室", "description": "AI"})
    assert r.status == 201, r.body
    assert r.body["member_count"] == 1 and r.body["team_count"] == 0
    members = await bob.get("orgs/pcl/members")
    assert members.body["items"][0]["user"]["username"] == "bob"
    assert members.body["items"][0]["role"] == "owner"
    assert (await bob.post("orgs", {"name": "pcl"})).status == 409
    assert (await bob.post("users", {"username": "pcl"})).status == 403


async def test_org_names_share_the_user_namespace(api, as_user):
    await as_user("bob")
    r = await api.post("orgs", {"name": "Bob"})
    assert r.status == 409
    assert r.body["errors"][0]["field"] == "name"


async def test_private_org_is_invisible_to_outsiders(as_user):
    owner = await as_user("bob")
    outsider = await as_user("eve")
    assert (await owner.post("orgs", {"name": "secret-lab", "visibility": "private"})).status == 201

    missing = await outsider.get("orgs/no-such-org/members")
    hidden = await outsider.get("orgs/secret-lab/members")
    assert hidden.status == missing.status == 404
    assert hidden.body["message"].replace("secret-lab", "X") == missing.body["message"].replace(
        "no-such-org", "X"
    )
    assert (await outsider.get("orgs/secret-lab")).status == 404
    assert (await outsider.get("orgs/secret-lab/teams")).status == 404
    listed = await outsider.get("orgs")
    assert "secret-lab" not in [o["name"] for o in listed.body["items"]]
    assert listed.body["total"] == 0
    assert (await outsider.put("orgs/secret-lab/members/eve", {"role": "owner"})).status == 404

    assert (await owner.put("orgs/secret-lab/members/eve", {"role": "member"})).status == 200
    assert (await outsider.get("orgs/secret-lab/members")).body["total"] == 2


async def test_public_org_members_are_public_but_teams_are_internal(as_user):
    owner = await as_user("bob")
    outsider = await as_user("eve")
    await owner.post("orgs", {"name": "OpenI"})
    await owner.post("orgs/OpenI/teams", {"name": "core", "permission": "write"})
    assert (await outsider.get("orgs/OpenI/members")).status == 200
    teams = await outsider.get("orgs/OpenI/teams")
    assert teams.status == 403
    assert "members" in teams.body["message"]


async def test_only_owners_manage_an_org(as_user):
    owner = await as_user("bob")
    member = await as_user("carol")
    await owner.post("orgs", {"name": "OpenI"})
    await owner.put("orgs/OpenI/members/carol", {"role": "member"})
    assert (await member.patch("orgs/OpenI", {"description": "mine now"})).status == 403
    assert (await member.post("orgs/OpenI/teams", {"name": "x"})).status == 403
    assert (await member.put("orgs/OpenI/members/carol", {"role": "owner"})).status == 403
    ok = await owner.patch("orgs/OpenI", {"description": "开源社区", "visibility": "private"})
    assert ok.status == 200
    assert ok.body["description"] == "开源社区" and ok.body["visibility"] == "private"


async def test_the_last_owner_cannot_leave_or_be_demoted(as_user):
    owner = await as_user("bob")
    await as_user("carol")
    await owner.post("orgs", {"name": "OpenI"})
    leave = await owner.delete("orgs/OpenI/members/bob")
    assert leave.status == 409
    assert (await owner.put("orgs/OpenI/members/bob", {"role": "member"})).status == 409
    await owner.put("orgs/OpenI/members/carol", {"role": "owner"})
    assert (await owner.delete("orgs/OpenI/members/bob")).status == 204
    members = await owner.get("orgs/OpenI/members")
    assert [m["user"]["username"] for m in members.body["items"]] == ["carol"]


async def test_a_member_may_leave(as_user):
    owner = await as_user("bob")
    carol = await as_user("carol")
    await owner.post("orgs", {"name": "OpenI"})
    await owner.put("orgs/OpenI/members/carol", {})
    assert (await carol.delete("orgs/OpenI/members/carol")).status == 204
    assert (await carol.delete("orgs/OpenI/members/bob")).status == 403


async def test_teams_lifecycle_and_counts(as_user):
    owner = await as_user("bob")
    await as_user("carol")
    await owner.post("orgs", {"name": "OpenI"})
    t = await owner.post("orgs/OpenI/teams", {"name": "core", "permission": "write"})
    assert t.status == 201 and t.body["permission"] == "write"
    assert (await owner.post("orgs/OpenI/teams", {"name": "CORE"})).status == 409
    assert (await owner.put("orgs/OpenI/teams/core/members/carol")).status == 200
    team = await owner.get("orgs/OpenI/teams/core")
    assert team.body["member_count"] == 1
    org = await owner.get("orgs/OpenI")
    assert org.body["member_count"] == 2 and org.body["team_count"] == 1  # carol joined the org
    members = await owner.get("orgs/OpenI/teams/core/members")
    assert [u["username"] for u in members.body["items"]] == ["carol"]
    patched = await owner.patch("orgs/OpenI/teams/core", {"permission": "admin"})
    assert patched.body["permission"] == "admin"
    assert (await owner.delete("orgs/OpenI/teams/core/members/carol")).status == 204
    assert (await owner.delete("orgs/OpenI/teams/core/members/carol")).status == 404
    assert (await owner.delete("orgs/OpenI/teams/core")).status == 204
    assert (await owner.get("orgs/OpenI/teams/core")).status == 404


async def test_my_orgs_and_a_users_orgs(as_user):
    bob = await as_user("bob")
    eve = await as_user("eve")
    await bob.post("orgs", {"name": "public-org"})
    await bob.post("orgs", {"name": "private-org", "visibility": "private"})
    mine = await bob.get("user/orgs")
    assert sorted(o["name"] for o in mine.body["items"]) == ["private-org", "public-org"]
    seen_by_eve = await eve.get("users/bob/orgs")
    assert [o["name"] for o in seen_by_eve.body["items"]] == ["public-org"]
    assert (await eve.get("users/nobody/orgs")).status == 404
