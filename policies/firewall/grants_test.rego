package firewall.grants_test

import data.firewall.grants
import data.firewall.lib.fixtures_test as fx

test_release_when_a_grant_releases_raw_and_no_obligation_withholds if {
	r := fx.request("CITY_REGULATORY_SERVICES", "CODE_ENFORCEMENT", "service_requests", ["service_type", "caller_name", "caller_language"])
	grants.outcomes == {
		"service_type": {"outcome": "release", "rules": {"R18"}},
		"caller_name": {"outcome": "withhold", "rules": {"R15"}},
		"caller_language": {"outcome": "withhold", "rules": {"R18"}},
	} with input as r
	grants.decision == "ALLOW_REDACTED" with input as r
	grants.decisive == {"R15", "R18"} with input as r
}

test_a_field_any_grant_releases_is_released if {
	r := fx.request("CITY_ATTORNEY_CRIMINAL", "CRIMINAL_CASE_PROCESSING", "summons", ["offense"])
	grants.outcomes.offense == {"outcome": "release", "rules": {"R18", "R19"}} with input as r
	grants.decision == "ALLOW" with input as r
}

test_a_transformed_field_counts_as_withheld if {
	r := fx.with_basis(fx.request("RESEARCHER", "RESEARCH", "service_requests", ["latitude", "status"]), {"type": "DATA_USE_AGREEMENT"})
	grants.outcomes.latitude == {"outcome": "transform", "rules": {"R20"}, "transform": "generalise_location"} with input as r
	grants.released == {"status"} with input as r
	grants.decision == "ALLOW_REDACTED" with input as r
}

test_raw_release_beats_a_transform if {
	public := object.union(fx.request("JOURNALIST", "JOURNALISM", "summons", ["offense_location"]), {"channel": "PUBLIC_RECORDS"})
	r := fx.with_basis(public, {"type": "DATA_USE_AGREEMENT"})
	grants.outcomes.offense_location == {"outcome": "release", "rules": {"R9"}} with input as r
}

test_nothing_released_is_a_deny_citing_what_withheld if {
	r := fx.with_basis(fx.request("MPD", "CRIMINAL_INVESTIGATION", "summons", ["identification_method"]), fx.order(["identification_method"]))
	grants.granted with input as r
	grants.decision == "DENY" with input as r
	grants.decisive == {"R7"} with input as r
}

test_only_caller_identity_granted_is_a_review if {
	r := fx.request("CITY_REGULATORY_SERVICES", "CODE_ENFORCEMENT", "service_requests", ["caller_phone"])
	grants.caller_identity_sought with input as r
	grants.decision == "REVIEW" with input as r
	grants.decisive == {"R15"} with input as r
}

test_ungranted_caller_identity_is_no_review if {
	r := fx.request("CITY_COUNCIL", "OVERSIGHT_REPORTING", "service_requests", ["caller_phone"])
	not grants.caller_identity_sought with input as r
	not grants.granted with input as r
}

test_bulk_public_records_get_r9_only if {
	public := object.union(fx.request("CITY_HEALTH", "SERVICE_DELIVERY", "service_requests", ["status", "description"]), {"channel": "PUBLIC_RECORDS"})
	r := fx.with_subjects(public, "ATTRIBUTE", 100)
	grants.effective == {"R9": {"status": "raw"}} with input as r
}

test_prevention_aggregates_get_r20_only if {
	r := fx.with_subjects(fx.request("MPD", "TVTP", "service_requests", ["status"]), "AGGREGATE", 0)
	grants.effective == {} with input as r
	r2 := fx.with_subjects(fx.request("FUSION_CENTER", "OVERSIGHT_REPORTING", "service_requests", ["status"]), "AGGREGATE", 0)
	grants.effective == {"R20": {"status": "raw"}} with input as r2
}

test_program_partner_is_capped_to_program_fields if {
	r := fx.with_subjects(fx.request("HENNEPIN_LIBRARY", "RESEARCH", "municipal_id", ["card_status", "birth_country"]), "AGGREGATE", 0)
	grants.effective == {"R14": {"card_status": "raw"}, "R18": {"card_status": "raw"}, "R20": {"card_status": "raw"}} with input as r
}
