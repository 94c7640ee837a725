package firewall.rules.surveillance_test

import data.firewall.lib.fixtures_test as fx
import data.firewall.rules.surveillance

test_r12_fires_on_every_prevention_purpose if {
	every p in data.purposes.prevention {
		surveillance.matched.r12.id == "R12" with input as fx.request("MPD", p, "service_requests", ["service_type"])
	}
}

test_r12_fires_on_prevention_requesters if {
	every a in ["DHS_CP3", "FUSION_CENTER", "SCN_PARTNER_CITY"] {
		surveillance.matched.r12 with input as fx.request(a, "CRIMINAL_INVESTIGATION", "summons", ["offense"])
	}
}

test_r12_denies_record_level_requests if {
	surveillance.r12_deny with input as fx.request("DHS_CP3", "RESEARCH", "service_requests", ["service_type"])
}

test_r12_sends_aggregates_through_r20_only if {
	r := fx.with_subjects(fx.request("DHS_CP3", "RESEARCH", "service_requests", ["service_type"]), "AGGREGATE", 0)
	surveillance.matched.r12 with input as r
	not surveillance.r12_deny with input as r
	surveillance.aggregates_through_r20_only with input as r
}

test_r12_does_not_fire_otherwise if {
	r := fx.request("FBI", "CRIMINAL_INVESTIGATION", "summons", ["offense"])
	not surveillance.matched.r12 with input as r
	not surveillance.aggregates_through_r20_only with input as fx.with_subjects(r, "AGGREGATE", 0)
}

test_r24_fires_on_a_foreign_government_outside_criminal_investigations if {
	surveillance.matched.r24.id == "R24" with input as fx.request("FOREIGN_GOVERNMENT", "LOCATE_NATIONAL", "municipal_id", ["phone"])
	surveillance.matched.r24 with input as fx.request("FOREIGN_GOVERNMENT", "CRIMINAL_CASE_PROCESSING", "summons", ["offense"])
}

test_r24_does_not_fire_otherwise if {
	not surveillance.matched.r24 with input as fx.request("FOREIGN_GOVERNMENT", "CRIMINAL_INVESTIGATION", "summons", ["offense"])
	not surveillance.matched.r24 with input as fx.request("FBI", "LOCATE_NATIONAL", "summons", ["offense"])
}
