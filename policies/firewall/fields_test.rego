package firewall.fields_test

import data.firewall.fields
import data.firewall.lib.fixtures_test as fx

test_a_deny_withholds_every_field_citing_the_decisive_rule_and_obligations if {
	r := fx.request("MPD", "STATUS_VERIFICATION", "municipal_id", ["citizenship", "full_name"])
	fields.outcomes == {
		"citizenship": {"outcome": "withhold", "rules": ["R1", "R7"]},
		"full_name": {"outcome": "withhold", "rules": ["R1"]},
	} with input as r
	fields.released == [] with input as r
	fields.withheld == ["citizenship", "full_name"] with input as r
}

test_a_review_releases_nothing if {
	r := fx.request("CITY_REGULATORY_SERVICES", "CODE_ENFORCEMENT", "service_requests", ["caller_name"])
	fields.outcomes == {"caller_name": {"outcome": "withhold", "rules": ["R15"]}} with input as r
}

test_a_stage_9_deny_withholds_transforms_too if {
	r := fx.with_basis(fx.request("RESEARCHER", "RESEARCH", "service_requests", ["latitude"]), {"type": "DATA_USE_AGREEMENT"})
	fields.outcomes == {"latitude": {"outcome": "withhold", "rules": ["R20"]}} with input as r
}

test_an_allow_keeps_stage_9_outcomes_with_sorted_rules if {
	r := fx.with_basis(fx.request("RESEARCHER", "RESEARCH", "summons", ["offense", "court_location", "phone"]), {"type": "DATA_USE_AGREEMENT"})
	fields.outcomes == {
		"offense": {"outcome": "release", "rules": ["R20"]},
		"court_location": {"outcome": "transform", "rules": ["R20"], "transform": "generalise_location"},
		"phone": {"outcome": "withhold", "rules": ["R20"]},
	} with input as r
	fields.released == ["offense"] with input as r
	fields.withheld == ["court_location", "phone"] with input as r
}
