package firewall.rules.access_test

import data.firewall.lib.fixtures_test as fx
import data.firewall.rules.access

_authorization(verified) := {"type": "SUBJECT_AUTHORIZATION", "verified": verified}

test_r20_fires_on_research_journalism_and_oversight if {
	every p in ["RESEARCH", "JOURNALISM", "OVERSIGHT_REPORTING"] {
		access.matched.r20.id == "R20" with input as fx.request("RESEARCHER", p, "summons", ["offense"])
	}
}

test_r20_does_not_fire_on_other_purposes if {
	not access.matched.r20 with input as fx.request("RESEARCHER", "MARKETING", "summons", ["offense"])
}

test_r20_grants_every_field_of_an_aggregate if {
	r := fx.with_subjects(fx.request("RESEARCHER", "RESEARCH", "summons", ["offense", "full_name"]), "AGGREGATE", 0)
	access.r20_aggregate with input as r
	access.grants.r20 == {"offense": "raw", "full_name": "raw"} with input as r
}

test_r20_de_identifies_records_under_a_data_use_agreement if {
	r := fx.with_basis(
		fx.request("RESEARCHER", "RESEARCH", "summons", [
			"offense", "offense_location", "residential_address",
			"full_name", "interpreter_language", "identification_method",
		]),
		{"type": "DATA_USE_AGREEMENT"},
	)
	access.r20_deidentified with input as r
	access.grants.r20 == {"offense": "raw", "offense_location": "transform", "residential_address": "transform"} with input as r
}

test_r20_grants_no_records_without_a_data_use_agreement if {
	r := fx.request("RESEARCHER", "RESEARCH", "summons", ["offense"])
	access.matched.r20 with input as r
	not access.grants.r20 with input as r
	not access.r20_deidentified with input as r
}

test_r21_grants_the_subject_every_field if {
	r := fx.with_basis(fx.request("DATA_SUBJECT", "OWN_RECORD_ACCESS", "municipal_id", ["citizenship", "photo"]), _authorization(true))
	access.matched.r21.id == "R21" with input as r
	access.grants.r21 == {"citizenship": "raw", "photo": "raw"} with input as r
}

test_r21_does_not_fire_on_audit_or_unverified_authorizations if {
	not access.matched.r21 with input as fx.with_basis(fx.request("DATA_SUBJECT", "OWN_RECORD_ACCESS", "audit", ["agency"]), _authorization(true))
	not access.matched.r21 with input as fx.with_basis(fx.request("DATA_SUBJECT", "OWN_RECORD_ACCESS", "summons", ["offense"]), _authorization(false))
}

test_r22_fires_unless_verified_is_true if {
	access.matched.r22.id == "R22" with input as object.union(fx.base, {"requester": {"agency": "MPD", "verified": false}})
	access.matched.r22 with input as object.union(fx.base, {"requester": {"agency": "MPD", "verified": "true"}})
	access.matched.r22 with input as {}
	not access.matched.r22 with input as fx.base
}
