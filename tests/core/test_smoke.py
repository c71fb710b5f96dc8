def test_org_paths(org):
    assert org["justice"].path == f"/{org['province'].pk}/{org['justice'].pk}/"
