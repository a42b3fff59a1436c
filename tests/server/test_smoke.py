async def test_me(api):
    r = await api.get("user")
    assert r.status == 200, r.body
    assert r.body["username"] == "alice"
