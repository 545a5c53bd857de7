"""What every test suite shares: one client of the API, the tenants it signs in, one builder per concept.

Test modules import from here and never from each other, so a helper has one home and one version.
"""
