package firewall.rules.city_test

import data.firewall.lib.fixtures_test as fx
import data.firewall.rules.city

test_r14_fires_on_municipal_id if {
	city.matched.r14.id == "R14" with input as fx.request("CITY_CLERK", "SERVICE_DELIVERY", "municipal_id", ["full_name"])
	not city.matched.r14 with input as fx.request("CITY_CLERK", "SERVICE_DELIVERY", "summons", ["full_name"])
}

test_r14_denies_outside_requesters if {
	city.r14_deny with input as fx.request("MPD", "CRIMINAL_INVESTIGATION", "municipal_id", ["full_name"])
	city.r14_deny with input as fx.request("RESEARCHER", "RESEARCH", "municipal_id", ["full_name"])
}

test_r14_reviews_outside_requesters_with_judicial_process if {
	r := fx.with_basis(fx.request("MPD", "CRIMINAL_INVESTIGATION", "municipal_id", ["full_name"]), {"type": "JUDICIAL_SUBPOENA"})
	city.r14_review with input as r
	not city.r14_deny with input as r
	city.r14_deny with input as fx.with_basis(fx.request("MPD", "CRIMINAL_INVESTIGATION", "municipal_id", ["full_name"]), {"type": "ADMIN_SUBPOENA"})
}

test_r14_neither_denies_the_issuing_office_nor_the_subject if {
	not city.r14_deny with input as fx.request("CITY_CLERK", "SERVICE_DELIVERY", "municipal_id", ["full_name"])
	authorized := fx.with_basis(fx.request("USCIS", "IMMIGRATION_BENEFIT", "municipal_id", ["full_name"]), {"type": "SUBJECT_AUTHORIZATION", "verified": true})
	not city.r14_deny with input as authorized
}

test_r14_grants_program_partners_their_program_fields if {
	r := fx.request("HENNEPIN_LIBRARY", "SERVICE_DELIVERY", "municipal_id", ["library_account_id", "transit_card_id"])
	city.grants.r14 == {"library_account_id": "raw"} with input as r
	city.program_fields_only with input as r
	not city.r14_deny with input as r
}

test_r18_fires_on_city_departments_and_partners if {
	city.matched.r18.id == "R18" with input as fx.base
	city.matched.r18 with input as fx.request("METRO_TRANSIT", "SERVICE_DELIVERY", "municipal_id", ["card_status"])
	not city.matched.r18 with input as fx.request("MN_COURT", "SERVICE_DELIVERY", "summons", ["offense"])
}

test_r18_denies_status_verification if {
	city.r18_deny with input as fx.request("MPD", "STATUS_VERIFICATION", "municipal_id", ["citizenship"])
	city.r18_deny with input as fx.request("METRO_TRANSIT", "STATUS_VERIFICATION", "municipal_id", ["card_status"])
	not city.grants.r18 with input as fx.request("MPD", "STATUS_VERIFICATION", "summons", ["offense"])
}

test_r18_grants_departments_c_and_d if {
	r := fx.request("CITY_REGULATORY_SERVICES", "CODE_ENFORCEMENT", "service_requests", ["location_address", "service_type", "caller_language"])
	city.grants.r18 == {"location_address": "raw", "service_type": "raw"} with input as r
	not city.r18_deny with input as fx.base
}

test_r18_adds_class_b_for_service_delivery if {
	city.grants.r18 == {"caller_language": "raw"} with input as fx.request("CITY_HEALTH", "SERVICE_DELIVERY", "service_requests", ["caller_language"])
}

test_r18_grants_the_council_nothing if {
	not city.grants.r18 with input as fx.request("CITY_COUNCIL", "OVERSIGHT_REPORTING", "summons", ["offense"])
}

test_r18_grants_partners_program_fields_on_municipal_id_only if {
	city.grants.r18 == {"card_status": "raw"} with input as fx.request("METRO_TRANSIT", "SERVICE_DELIVERY", "municipal_id", ["card_status", "photo"])
	city.grants.r18 == {} with input as fx.request("METRO_TRANSIT", "SERVICE_DELIVERY", "service_requests", ["service_type"])
}
