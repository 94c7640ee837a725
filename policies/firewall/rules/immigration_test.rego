package firewall.rules.immigration_test

import data.firewall.lib.fixtures_test as fx
import data.firewall.rules.immigration

test_r1_fires_on_an_immigration_purpose_from_anyone if {
	immigration.matched.r1.id == "R1" with input as fx.request("CITY_HEALTH", "STATUS_VERIFICATION", "summons", ["offense"])
	immigration.matched.r1 with input as fx.request("PUBLIC", "CRIMINAL_REENTRY", "summons", ["offense"])
}

test_r1_does_not_fire_on_other_purposes if {
	not immigration.matched.r1 with input as fx.request("ICE_ERO", "CRIMINAL_INVESTIGATION", "summons", ["offense"])
	not immigration.matched.r1 with input as fx.request("USCIS", "IMMIGRATION_BENEFIT", "summons", ["offense"])
}

test_r2_fires_on_enforcement_requesters_only if {
	immigration.matched.r2.id == "R2" with input as fx.request("ICE_287G_PARTNER", "RESEARCH", "summons", ["offense"])
	not immigration.matched.r2 with input as fx.request("ICE_HSI", "CRIMINAL_INVESTIGATION", "summons", ["offense"])
	not immigration.matched.r2 with input as fx.request("USCIS", "IMMIGRATION_BENEFIT", "summons", ["offense"])
}

test_r1_r2_deny_without_legal_process if {
	r := fx.request("ICE_ERO", "LOCATE_FOR_REMOVAL", "summons", ["offense"])
	immigration.r1_r2_deny with input as r
	not immigration.r1_r2_review with input as r
}

test_r1_r2_review_with_covering_legal_process if {
	r := fx.with_basis(fx.request("ICE_ERO", "LOCATE_FOR_REMOVAL", "summons", ["offense"]), {"type": "ADMIN_SUBPOENA"})
	immigration.r1_r2_review with input as r
	not immigration.r1_r2_deny with input as r
}

test_r1_r2_deny_with_process_that_does_not_cover if {
	r := fx.with_subjects(
		fx.with_basis(fx.request("ICE_ERO", "LOCATE_FOR_REMOVAL", "summons", ["offense"]), {"type": "ADMIN_SUBPOENA", "namedSubjects": 1}),
		"NAMED", 2,
	)
	immigration.r1_r2_deny with input as r
}

test_r3_fires_on_every_administrative_immigration_document if {
	every t in data.legal_basis.admin_immigration_documents {
		immigration.matched.r3.id == "R3" with input as fx.with_basis(fx.base, {"type": t})
	}
}

test_r3_does_not_fire_on_judicial_or_other_bases if {
	not immigration.matched.r3 with input as fx.with_basis(fx.base, fx.order([]))
	not immigration.matched.r3 with input as fx.with_basis(fx.base, {"type": "ADMIN_SUBPOENA"})
	not immigration.matched.r3 with input as fx.base
}

test_r8_fires_on_status_only_under_1373 if {
	r := fx.request("DHS", "STATUS_INQUIRY_1373", "municipal_id", ["citizenship", "immigration_status"])
	immigration.matched.r8.id == "R8" with input as r
	immigration.matched.r8 with input as fx.with_basis(fx.request("DHS", "LOCATE_FOR_REMOVAL", "municipal_id", ["citizenship"]), {"type": "STATUTE_1373"})
}

test_r8_does_not_fire_with_any_other_field if {
	not immigration.matched.r8 with input as fx.request("DHS", "STATUS_INQUIRY_1373", "municipal_id", ["citizenship", "residential_address"])
	not immigration.matched.r8 with input as fx.request("DHS", "STATUS_INQUIRY_1373", "municipal_id", [])
}

test_r8_does_not_fire_without_1373 if {
	not immigration.matched.r8 with input as fx.request("DHS", "CIVIL_IMMIGRATION_ENFORCEMENT", "municipal_id", ["citizenship"])
}

test_r23_fires_on_custody_fields_for_immigration if {
	immigration.matched.r23.id == "R23" with input as fx.request("CBP", "CRIMINAL_INVESTIGATION", "summons", ["court_date"])
	immigration.matched.r23 with input as fx.request("HENNEPIN_SHERIFF", "RELEASE_NOTIFICATION", "summons", ["release_date"])
	immigration.matched.r23 with input as fx.request("MPD", "EXECUTE_REMOVAL", "summons", ["custody_status", "offense"])
}

test_r23_does_not_fire_otherwise if {
	not immigration.matched.r23 with input as fx.request("MN_COURT", "CRIMINAL_CASE_PROCESSING", "summons", ["court_date"])
	not immigration.matched.r23 with input as fx.request("CBP", "CRIMINAL_INVESTIGATION", "summons", ["offense"])
}

test_r27_fires_on_parking_for_immigration if {
	immigration.matched.r27.id == "R27" with input as fx.request("ICE_ERO", "RESEARCH", "parking", ["plate_read"])
	immigration.matched.r27 with input as fx.request("MPD", "LOCATE_FOR_REMOVAL", "parking", ["camera_footage"])
}

test_r27_does_not_fire_otherwise if {
	not immigration.matched.r27 with input as fx.request("MPD", "CRIMINAL_INVESTIGATION", "parking", ["plate_read"])
	not immigration.matched.r27 with input as fx.request("ICE_ERO", "LOCATE_FOR_REMOVAL", "summons", ["offense"])
}
