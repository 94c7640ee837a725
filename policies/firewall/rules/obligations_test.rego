package firewall.rules.obligations_test

import data.firewall.lib.fixtures_test as fx
import data.firewall.rules.obligations

test_r7_fires_on_class_a_from_anyone_but_the_subject if {
	r := fx.request("CITY_CLERK", "SERVICE_DELIVERY", "municipal_id", ["citizenship", "full_name"])
	obligations.matched.r7.id == "R7" with input as r
	obligations.withheld_by == {"citizenship": {"R7"}} with input as r
	obligations.class_a == {"citizenship"} with input as r
}

test_r7_does_not_fire_without_class_a_or_for_the_subject if {
	not obligations.matched.r7 with input as fx.request("CITY_CLERK", "SERVICE_DELIVERY", "municipal_id", ["full_name"])
	not obligations.matched.r7 with input as fx.with_basis(
		fx.request("DATA_SUBJECT", "OWN_RECORD_ACCESS", "municipal_id", ["citizenship"]),
		{"type": "SUBJECT_AUTHORIZATION", "verified": true},
	)
}

test_r7_reviews_an_outside_order_listing_class_a if {
	fbi := fx.request("FBI", "CRIMINAL_INVESTIGATION", "summons", ["identification_method"])
	obligations.r7_review with input as fx.with_basis(fbi, fx.order(["identification_method"]))
}

test_r7_does_not_review_without_such_an_order if {
	mpd := fx.request("MPD", "CRIMINAL_INVESTIGATION", "summons", ["identification_method"])
	not obligations.r7_review with input as fx.with_basis(mpd, fx.order(["identification_method"]))
	not obligations.r7_review with input as fx.with_basis(fx.request("FBI", "CRIMINAL_INVESTIGATION", "summons", ["identification_method"]), fx.order(["offense"]))
	not obligations.r7_review with input as fx.request("FBI", "CRIMINAL_INVESTIGATION", "summons", ["identification_method"])
}

test_r13_fires_on_class_b_record_level_from_outside if {
	r := fx.request("MN_COURT", "CRIMINAL_CASE_PROCESSING", "summons", ["interpreter_language", "offense"])
	obligations.matched.r13.id == "R13" with input as r
	obligations.withheld_by == {"interpreter_language": {"R13"}} with input as r
}

test_r13_does_not_fire_inside_in_aggregate_or_for_the_subject if {
	not obligations.matched.r13 with input as fx.request("CITY_HEALTH", "SERVICE_DELIVERY", "service_requests", ["caller_language"])
	not obligations.matched.r13 with input as fx.with_subjects(fx.request("RESEARCHER", "RESEARCH", "service_requests", ["caller_language"]), "AGGREGATE", 0)
	not obligations.matched.r13 with input as fx.with_basis(
		fx.request("DATA_SUBJECT", "OWN_RECORD_ACCESS", "municipal_id", ["birth_country"]),
		{"type": "SUBJECT_AUTHORIZATION", "verified": true},
	)
}

test_r13_releases_class_b_a_valid_order_lists if {
	r := fx.with_basis(fx.request("FBI", "CRIMINAL_INVESTIGATION", "summons", ["interpreter_language"]), fx.order(["interpreter_language"]))
	obligations.matched.r13 with input as r
	obligations.withheld_by == {} with input as r
}

test_r15_fires_on_caller_identity_from_anyone if {
	r := fx.request("CITY_REGULATORY_SERVICES", "CODE_ENFORCEMENT", "service_requests", ["caller_email", "caller_device_id", "service_type"])
	obligations.matched.r15.id == "R15" with input as r
	obligations.withheld_by == {"caller_email": {"R15"}, "caller_device_id": {"R15"}} with input as r
}

test_r15_does_not_fire_without_caller_fields if {
	not obligations.matched.r15 with input as fx.request("CITY_REGULATORY_SERVICES", "CODE_ENFORCEMENT", "service_requests", ["caller_language"])
}
