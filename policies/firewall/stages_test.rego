package firewall.stages_test

import data.firewall.lib.fixtures_test as fx
import data.firewall.stages

_decided(r, stage, decision, decisive) if {
	stages.stage == stage with input as r
	stages.decision == decision with input as r
	stages.decisive == decisive with input as r
}

test_stage_1_r22_before_hard_denials if {
	detainer := fx.with_basis(fx.request("ICE_ERO", "LOCATE_FOR_REMOVAL", "summons", ["offense"]), {"type": "DETAINER_I247A"})
	r := object.union(detainer, {"requester": {"agency": "ICE_ERO", "verified": false}})
	_decided(r, 1, "DENY", {"R22"})
}

test_stage_2_collects_every_hard_denial if {
	r := fx.with_basis(fx.request("ICE_ERO", "RELEASE_NOTIFICATION", "summons", ["release_date"]), {"type": "DETAINER_I247A"})
	_decided(r, 2, "DENY", {"R3", "R23"})
}

test_stage_2_before_stage_3 if {
	r := fx.with_basis(fx.request("DHS", "STATUS_INQUIRY_1373", "municipal_id", ["citizenship"]), {"type": "NCIC_IMMIGRATION_HIT"})
	_decided(r, 2, "DENY", {"R3"})
}

test_stage_3_r8_before_r2 if {
	r := fx.with_basis(fx.request("DHS", "STATUS_INQUIRY_1373", "municipal_id", ["citizenship"]), {"type": "STATUTE_1373"})
	_decided(r, 3, "REVIEW", {"R8"})
}

test_stage_4_r9_review_before_r10 if {
	r := fx.with_subjects(object.union(fx.request("ICE_ERO", "JOURNALISM", "summons", ["offense"]), {"channel": "PUBLIC_RECORDS"}), "ALL", 9000)
	_decided(r, 4, "REVIEW", {"R9"})
}

test_stage_5_r10_before_r1_r2 if {
	r := fx.with_subjects(fx.request("ICE_ERO", "CIVIL_IMMIGRATION_ENFORCEMENT", "municipal_id", ["photo"]), "ALL", 80000)
	_decided(r, 5, "DENY", {"R10"})
}

test_stage_6_deny_without_process if {
	_decided(fx.request("CBP", "WORKSITE_ENFORCEMENT", "summons", ["employer"]), 6, "DENY", {"R1", "R2"})
}

test_stage_6_review_with_process_before_r14_deny if {
	r := fx.with_basis(fx.request("ICE_ERO", "CIVIL_IMMIGRATION_ENFORCEMENT", "municipal_id", ["full_name"]), {"type": "ADMIN_SUBPOENA"})
	_decided(r, 6, "REVIEW", {"R1", "R2"})
}

test_stage_7_denials_before_review_routes if {
	r := fx.with_basis(fx.request("MPD", "CRIMINAL_INVESTIGATION", "municipal_id", ["full_name"]), {"type": "ADMIN_SUBPOENA"})
	_decided(r, 7, "DENY", {"R14"})
	_decided(fx.request("MPD", "STATUS_VERIFICATION", "summons", ["offense"]), 6, "DENY", {"R1"})
	_decided(fx.request("MN_POLICE_OTHER", "CODE_ENFORCEMENT", "summons", ["offense"]), 7, "DENY", {"R17"})
}

test_stage_8_review_routes_before_grants if {
	r := fx.with_basis(fx.request("FBI", "CRIMINAL_INVESTIGATION", "summons", ["offense"]), {"type": "GRAND_JURY_SUBPOENA"})
	_decided(r, 8, "REVIEW", {"R6", "R16"})
	_decided(fx.with_basis(fx.base, {"type": "ADMIN_SUBPOENA"}), 8, "REVIEW", {"R5"})
}

test_stage_9_grants_when_nothing_decided_earlier if {
	r := fx.request("MN_COURT", "CRIMINAL_CASE_PROCESSING", "summons", ["offense"])
	not stages.stage with input as r
	stages.decision == "ALLOW" with input as r
	stages.decisive == {"R19"} with input as r
	not stages.matched.r26 with input as r
}

test_stage_10_r26_when_no_grant_covers_a_field if {
	r := fx.request("PRIVATE_COMPANY", "MARKETING", "summons", ["offense"])
	stages.matched.r26.id == "R26" with input as r
	stages.decision == "DENY" with input as r
	stages.decisive == {"R26"} with input as r
}

test_r26_does_not_fire_when_an_earlier_stage_decides if {
	not stages.matched.r26 with input as fx.request("FBI", "CRIMINAL_INVESTIGATION", "summons", ["offense"])
}
