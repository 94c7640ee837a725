package firewall.rules.disclosure_test

import data.firewall.lib.fixtures_test as fx
import data.firewall.rules.disclosure

_public_records(r) := object.union(r, {"channel": "PUBLIC_RECORDS"})

test_r9_fires_on_the_public_records_channel if {
	r := _public_records(fx.request("PUBLIC", "MARKETING", "summons", ["offense", "phone"]))
	disclosure.matched.r9.id == "R9" with input as r
	disclosure.grants.r9 == {"offense": "raw"} with input as r
	disclosure.r9_grants_requested with input as r
	not disclosure.r9_review with input as r
}

test_r9_does_not_fire_on_other_channels if {
	not disclosure.matched.r9 with input as fx.request("PUBLIC", "MARKETING", "summons", ["offense"])
}

test_r9_reviews_enforcement_and_immigration if {
	disclosure.r9_review with input as _public_records(fx.request("CBP", "JOURNALISM", "summons", ["offense"]))
	disclosure.r9_review with input as _public_records(fx.request("PUBLIC", "STAGING_SUPPORT", "summons", ["offense"]))
	not disclosure.grants.r9 with input as _public_records(fx.request("CBP", "JOURNALISM", "summons", ["offense"]))
}

test_r9_grants_nothing_on_municipal_id if {
	r := _public_records(fx.request("PUBLIC", "MARKETING", "municipal_id", ["full_name"]))
	disclosure.grants.r9 == {} with input as r
	not disclosure.r9_grants_requested with input as r
}

test_r10_fires_on_bulk if {
	disclosure.matched.r10.id == "R10" with input as fx.with_subjects(fx.base, "ATTRIBUTE", 5)
	disclosure.matched.r10 with input as fx.with_subjects(fx.base, "ALL", 5)
	disclosure.matched.r10 with input as fx.with_subjects(fx.base, "NAMED", 26)
	disclosure.matched.r10 with input as fx.with_subjects(fx.request("DHS", "RESEARCH", "summons", ["offense"]), "NAMED", 2)
}

test_r10_does_not_fire_below_the_threshold_or_on_aggregates if {
	not disclosure.matched.r10 with input as fx.with_subjects(fx.base, "NAMED", 25)
	not disclosure.matched.r10 with input as fx.with_subjects(fx.base, "AGGREGATE", 50000)
}

test_r10_exception_named_subjects_with_legal_process if {
	r := fx.with_subjects(fx.with_basis(fx.base, {"type": "ADMIN_SUBPOENA"}), "NAMED", 40)
	not disclosure.matched.r10 with input as r
	disclosure.matched.r10 with input as fx.with_subjects(fx.with_basis(fx.base, {"type": "ADMIN_SUBPOENA"}), "ATTRIBUTE", 40)
	disclosure.matched.r10 with input as fx.with_subjects(fx.with_basis(fx.base, {"type": "ADMIN_SUBPOENA", "namedSubjects": 39}), "NAMED", 40)
}

test_r10_exception_data_use_agreement if {
	r := fx.with_subjects(fx.request("RESEARCHER", "RESEARCH", "service_requests", ["service_type"]), "ATTRIBUTE", 900)
	disclosure.matched.r10 with input as r
	not disclosure.matched.r10 with input as fx.with_basis(r, {"type": "DATA_USE_AGREEMENT"})
	not disclosure.matched.r10 with input as object.union(r, {"attestations": ["DATA_USE_AGREEMENT"]})
}

test_r10_exception_public_fields_only if {
	r := fx.with_subjects(_public_records(fx.request("JOURNALIST", "JOURNALISM", "summons", ["offense", "phone"])), "ALL", 900)
	not disclosure.matched.r10 with input as r
	disclosure.public_only with input as r
	disclosure.matched.r10 with input as fx.with_subjects(_public_records(fx.request("JOURNALIST", "JOURNALISM", "summons", ["phone"])), "ALL", 900)
}

test_r11_fires_on_feeds_from_outside_the_city if {
	disclosure.matched.r11.id == "R11" with input as object.union(fx.request("RESEARCHER", "RESEARCH", "summons", ["offense"]), {"channel": "STANDING_FEED"})
	partner := fx.request("METRO_TRANSIT", "SERVICE_DELIVERY", "municipal_id", ["card_status"])
	disclosure.matched.r11 with input as object.union(partner, {"channel": "DIRECT_DB_ACCESS"})
}

test_r11_does_not_fire_on_city_feeds if {
	not disclosure.matched.r11 with input as object.union(fx.base, {"channel": "STANDING_FEED"})
}

test_r11_fires_on_data_sharing_agreements_with_listed_classes if {
	every agency in ["ICE_ERO", "FBI", "FUSION_CENTER", "FOREIGN_GOVERNMENT"] {
		disclosure.matched.r11 with input as fx.with_basis(fx.request(agency, "CRIMINAL_INVESTIGATION", "summons", ["offense"]), {"type": "DATA_SHARING_AGREEMENT"})
	}
}

test_r11_does_not_fire_on_other_data_sharing_agreements if {
	sheriff := fx.request("HENNEPIN_SHERIFF", "CRIMINAL_INVESTIGATION", "summons", ["offense"])
	not disclosure.matched.r11 with input as fx.with_basis(sheriff, {"type": "DATA_SHARING_AGREEMENT"})
	not disclosure.matched.r11 with input as fx.with_basis(fx.base, {"type": "DATA_SHARING_AGREEMENT"})
}
