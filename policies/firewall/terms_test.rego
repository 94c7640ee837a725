package firewall.terms_test

import data.firewall.lib.fixtures_test as fx
import data.firewall.terms

test_defaults_apply_to_missing_keys if {
	r := {"requester": {"agency": "MPD", "verified": true}, "purpose": {"code": "SERVICE_DELIVERY"}, "system": "summons", "fields": ["offense"]}
	terms.channel == "RECORD_REQUEST" with input as r
	terms.selection == "NAMED" with input as r
	terms.subject_count == 1 with input as r
	terms.basis_type == "NONE" with input as r
	terms.attestations == set() with input as r
}

test_null_optional_keys_take_defaults if {
	r := object.union(fx.base, {"channel": null, "legalBasis": null, "attestations": null})
	terms.channel == "RECORD_REQUEST" with input as r
	terms.basis_type == "NONE" with input as r
	terms.attestations == set() with input as r
}

test_unknown_agency_has_no_class if {
	not terms.city_department with input as fx.request("NOT_AN_AGENCY", "X", "summons", ["offense"])
	not terms.enforcement_requester with input as fx.request("NOT_AN_AGENCY", "X", "summons", ["offense"])
	terms.outside_requester with input as fx.request("NOT_AN_AGENCY", "X", "summons", ["offense"])
}

test_enforcement_requesters_are_exactly_four if {
	enforcement := {a | some a in object.keys(data.agencies); terms.enforcement_requester with input as fx.request(a, "X", "summons", [])}
	enforcement == {"ICE_ERO", "CBP", "DHS", "ICE_287G_PARTNER"}
}

test_city_attorney_criminal_is_department_and_prosecutor if {
	r := fx.request("CITY_ATTORNEY_CRIMINAL", "X", "summons", [])
	terms.city_department with input as r
	terms.court_prosecutor with input as r
}

test_covers_when_named_subjects_absent_or_enough if {
	terms.covers with input as fx.with_basis(fx.base, {"type": "ADMIN_SUBPOENA"})
	terms.covers with input as fx.with_subjects(fx.with_basis(fx.base, {"type": "ADMIN_SUBPOENA", "namedSubjects": 3}), "NAMED", 3)
	not terms.covers with input as fx.with_subjects(fx.with_basis(fx.base, {"type": "ADMIN_SUBPOENA", "namedSubjects": 2}), "NAMED", 3)
	not terms.covers with input as fx.with_basis(fx.base, {"type": "ADMIN_SUBPOENA", "namedSubjects": "3"})
}

test_valid_judicial_order if {
	terms.valid_judicial_order with input as fx.with_basis(fx.base, fx.order([]))
	terms.valid_judicial_order with input as fx.with_basis(fx.base, object.union(fx.order([]), {"type": "JUDICIAL_WARRANT"}))
}

test_anything_less_than_a_valid_order_is_no_order if {
	not terms.valid_judicial_order with input as fx.with_basis(fx.base, object.union(fx.order([]), {"type": "JUDICIAL_SUBPOENA"}))
	not terms.valid_judicial_order with input as fx.with_basis(fx.base, object.remove(fx.order([]), {"judgeSigned"}))
	not terms.valid_judicial_order with input as fx.with_basis(fx.base, object.union(fx.order([]), {"judgeSigned": "true"}))
	not terms.valid_judicial_order with input as fx.with_basis(fx.base, object.remove(fx.order([]), {"court"}))
	not terms.valid_judicial_order with input as fx.with_basis(fx.base, object.union(fx.order([]), {"court": ""}))
	not terms.valid_judicial_order with input as fx.with_basis(fx.base, object.union(fx.order([]), {"expires": "2026-11-30"}))
	not terms.valid_judicial_order with input as fx.with_basis(fx.base, object.union(fx.order([]), {"expires": "soon"}))
	not terms.valid_judicial_order with input as object.union(fx.with_basis(fx.base, fx.order([])), {"receivedAt": "yesterday"})
}

test_order_listed_fields_only_from_a_valid_order if {
	terms.order_listed_fields == {"offense"} with input as fx.with_basis(fx.base, fx.order(["offense"]))
	terms.order_listed_fields == set() with input as fx.with_basis(fx.base, object.union(fx.order(["offense"]), {"judgeSigned": false}))
}

test_judicial_and_legal_process if {
	terms.judicial_process with input as fx.with_basis(fx.base, {"type": "GRAND_JURY_SUBPOENA"})
	terms.legal_process with input as fx.with_basis(fx.base, {"type": "JUDICIAL_SUBPOENA"})
	terms.legal_process with input as fx.with_basis(fx.base, {"type": "ADMIN_SUBPOENA"})
	not terms.judicial_process with input as fx.with_basis(fx.base, {"type": "ADMIN_SUBPOENA"})
	not terms.legal_process with input as fx.with_basis(fx.base, {"type": "ADMIN_WARRANT_I200"})
	not terms.legal_process with input as fx.with_subjects(fx.with_basis(fx.base, {"type": "ADMIN_SUBPOENA", "namedSubjects": 1}), "NAMED", 2)
}

test_subject_authorized_needs_verification_and_one_named_subject if {
	auth := {"type": "SUBJECT_AUTHORIZATION", "verified": true}
	terms.subject_authorized with input as fx.with_basis(fx.base, auth)
	not terms.subject_authorized with input as fx.with_basis(fx.base, {"type": "SUBJECT_AUTHORIZATION"})
	not terms.subject_authorized with input as fx.with_subjects(fx.with_basis(fx.base, auth), "NAMED", 2)
	not terms.subject_authorized with input as fx.with_subjects(fx.with_basis(fx.base, auth), "ATTRIBUTE", 1)
}

test_outside_requester if {
	not terms.outside_requester with input as fx.request("MPD", "X", "summons", [])
	terms.outside_requester with input as fx.request("MPD", "X", "municipal_id", [])
	not terms.outside_requester with input as fx.request("CITY_CLERK", "X", "municipal_id", [])
	terms.outside_requester with input as fx.request("METRO_TRANSIT", "X", "municipal_id", [])
	terms.outside_requester with input as fx.request("JOURNALIST", "X", "summons", [])
	not terms.outside_requester with input as fx.with_basis(fx.request("USCIS", "X", "municipal_id", []), {"type": "SUBJECT_AUTHORIZATION", "verified": true})
}

test_bulk_thresholds if {
	not terms.bulk with input as fx.with_subjects(fx.base, "NAMED", 25)
	terms.bulk with input as fx.with_subjects(fx.base, "NAMED", 26)
	terms.bulk with input as fx.with_subjects(fx.base, "ATTRIBUTE", 1)
	terms.bulk with input as fx.with_subjects(fx.base, "ALL", 1)
	not terms.bulk with input as fx.with_subjects(fx.base, "AGGREGATE", 100000)
	not terms.bulk with input as fx.request("ICE_ERO", "X", "summons", [])
	terms.bulk with input as fx.with_subjects(fx.request("ICE_ERO", "X", "summons", []), "NAMED", 2)
}

test_bulk_threshold_is_policy_data if {
	not terms.bulk with input as fx.with_subjects(fx.base, "NAMED", 26) with data.thresholds.bulk_subjects as 50
}

test_case_fields_exclude_status_traits_and_callers if {
	case_311 := terms.case_fields with input as fx.request("MN_COURT", "X", "service_requests", [])
	not "caller_name" in case_311
	not "caller_language" in case_311
	"description" in case_311
	case_summons := terms.case_fields with input as fx.request("MN_COURT", "X", "summons", [])
	not "identification_method" in case_summons
	not "interpreter_language" in case_summons
	"court_date" in case_summons
}

test_immigration_related if {
	terms.immigration_related with input as fx.request("PUBLIC", "LOCATE_FOR_REMOVAL", "summons", [])
	terms.immigration_related with input as fx.request("CBP", "RESEARCH", "summons", [])
	terms.immigration_related with input as fx.with_basis(fx.request("FBI", "CRIMINAL_INVESTIGATION", "summons", []), {"type": "NCIC_IMMIGRATION_HIT"})
	terms.immigration_related with input as fx.with_basis(fx.request("FBI", "CRIMINAL_INVESTIGATION", "summons", []), {"type": "STATUTE_1373"})
	terms.immigration_related with input as fx.request("ICE_HSI", "STATUS_INQUIRY_1373", "summons", [])
	not terms.immigration_related with input as fx.request("ICE_HSI", "CRIMINAL_INVESTIGATION", "summons", [])
	not terms.immigration_related with input as fx.request("USCIS", "IMMIGRATION_BENEFIT", "municipal_id", [])
}

test_a_court_is_named_by_any_non_empty_string if {
	terms.valid_judicial_order with input as fx.with_basis(fx.base, object.union(fx.order([]), {"court": " "}))
	terms.valid_judicial_order with input as fx.with_basis(fx.base, object.union(fx.order([]), {"expires": "2030-06-30t00:00:00z"}))
}
