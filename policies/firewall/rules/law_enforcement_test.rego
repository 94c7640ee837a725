package firewall.rules.law_enforcement_test

import data.firewall.lib.fixtures_test as fx
import data.firewall.rules.law_enforcement

_attested(r) := object.union(r, {"attestations": ["NO_ONWARD_IMMIGRATION_SHARING"]})

test_r16_fires_on_federal_criminal_agencies_for_non_immigration_purposes if {
	every a in ["ICE_HSI", "FBI", "ATF", "DEA", "USMS"] {
		law_enforcement.matched.r16.id == "R16" with input as fx.request(a, "CRIMINAL_INVESTIGATION", "summons", ["offense"])
	}
}

test_r16_reviews_without_a_valid_order if {
	law_enforcement.r16_review with input as fx.request("ATF", "CRIMINAL_INVESTIGATION", "summons", ["offense"])
}

test_r16_does_not_fire_on_immigration_purposes_or_other_agencies if {
	not law_enforcement.matched.r16 with input as fx.request("ICE_HSI", "CRIMINAL_REENTRY", "summons", ["offense"])
	not law_enforcement.matched.r16 with input as fx.request("ICE_ERO", "CRIMINAL_INVESTIGATION", "summons", ["offense"])
}

test_r16_leaves_a_valid_order_to_r4 if {
	r := fx.with_basis(fx.request("DEA", "CRIMINAL_INVESTIGATION", "summons", ["offense"]), fx.order(["offense"]))
	law_enforcement.matched.r16 with input as r
	not law_enforcement.r16_review with input as r
}

test_r17_grants_c_and_d_for_a_criminal_purpose_with_the_attestation if {
	r := _attested(fx.request("MN_POLICE_OTHER", "CRIMINAL_CASE_PROCESSING", "summons", ["full_name", "offense", "interpreter_language", "identification_method"]))
	law_enforcement.matched.r17.id == "R17" with input as r
	law_enforcement.grants.r17 == {"full_name": "raw", "offense": "raw"} with input as r
	not law_enforcement.r17_deny with input as r
}

test_r17_denies_other_purposes_even_with_the_attestation if {
	law_enforcement.r17_deny with input as _attested(fx.request("HENNEPIN_SHERIFF", "RELEASE_NOTIFICATION", "summons", ["offense"]))
	law_enforcement.r17_deny with input as _attested(fx.request("HENNEPIN_SHERIFF", "SERVICE_DELIVERY", "summons", ["offense"]))
}

test_r17_denies_a_criminal_purpose_without_the_attestation if {
	law_enforcement.r17_deny with input as fx.request("HENNEPIN_SHERIFF", "CRIMINAL_INVESTIGATION", "summons", ["offense"])
	not law_enforcement.grants.r17 with input as fx.request("HENNEPIN_SHERIFF", "CRIMINAL_INVESTIGATION", "summons", ["offense"])
}

test_r17_leaves_a_valid_order_to_r4 if {
	r := _attested(fx.with_basis(fx.request("HENNEPIN_SHERIFF", "CRIMINAL_INVESTIGATION", "summons", ["offense"]), fx.order(["offense"])))
	not law_enforcement.r17_deny with input as r
	not law_enforcement.grants.r17 with input as r
}

test_r17_does_not_fire_on_other_agencies if {
	not law_enforcement.matched.r17 with input as fx.request("MPD", "CRIMINAL_INVESTIGATION", "summons", ["offense"])
}

test_r19_fires_on_courts_and_prosecutors_processing_cases if {
	every a in ["MN_COURT", "COUNTY_ATTORNEY", "CITY_ATTORNEY_CRIMINAL"] {
		law_enforcement.matched.r19.id == "R19" with input as fx.request(a, "CRIMINAL_CASE_PROCESSING", "summons", ["offense"])
	}
}

test_r19_grants_case_fields if {
	r := fx.request("MN_COURT", "CRIMINAL_CASE_PROCESSING", "summons", ["court_date", "interpreter_language"])
	law_enforcement.grants.r19 == {"court_date": "raw"} with input as r
}

test_r19_does_not_fire_otherwise if {
	not law_enforcement.matched.r19 with input as fx.request("COUNTY_ATTORNEY", "CRIMINAL_INVESTIGATION", "summons", ["offense"])
	not law_enforcement.matched.r19 with input as fx.request("MPD", "CRIMINAL_CASE_PROCESSING", "summons", ["offense"])
}
