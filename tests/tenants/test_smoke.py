def test_world_builds(world, gql):
    data = gql(world.admin).data("{ viewer { email isMspStaff otpVerified } clients(first: 10) { totalCount edges { node { slug memberCount contactCount accountManager { fullName } } } } }")
    assert data["viewer"]["otpVerified"] is True
    assert [e["node"]["slug"] for e in data["clients"]["edges"]] == ["alpha", "bravo"]
