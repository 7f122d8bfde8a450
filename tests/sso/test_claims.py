"""What the groups claim grants: a claim that is sent decides; one that is not sent changes nothing."""

from marops.sso import groups_from_claims


def test_a_groups_claim_that_is_sent_decides_the_groups(settings):
    settings.OIDC_GROUPS_CLAIM, settings.OIDC_GROUP_MAP = "groups", "mkt-leads=Leaders"
    assert groups_from_claims({"groups": ["mkt-leads", "unknown"]}) == {"Leaders"}
    assert groups_from_claims({"groups": []}) == set()  # sent and empty: no MarOps group


def test_a_groups_claim_that_is_not_sent_keeps_the_logins_groups(settings):
    # Azure AD sends no groups claim past 200 groups ("overage"); a missing scope does the same.
    settings.OIDC_GROUPS_CLAIM, settings.OIDC_GROUP_MAP = "groups", "mkt-leads=Leaders"
    assert groups_from_claims({"email": "dana@halcyon.example"}) is None
