package firewall.rules.legal_process_test

import data.firewall.lib.fixtures_test as fx
import data.firewall.rules.legal_process

_litigation := fx.request("PRIVATE_COMPANY", "CIVIL_LITIGATION", "summons", ["offense", "disposition"])

test_r4_fires_on_a_valid_order if {
	legal_process.matched.r4.id == "R4" with input as fx.with_basis(_litigation, fx.order(["offense"]))
}

test_r4_does_not_fire_without_a_valid_order if {
	not legal_process.matched.r4 with input as _litigation
	not legal_process.matched.r4 with input as fx.with_basis(_litigation, object.union(fx.order(["offense"]), {"judgeSigned": false}))
}

test_r4_grants_the_listed_fields if {
	legal_process.grants.r4 == {"offense": "raw"} with input as fx.with_basis(_litigation, fx.order(["offense", "statute"]))
	not legal_process.r4_review with input as fx.with_basis(_litigation, fx.order(["offense"]))
}

test_r4_reviews_immigration_enforcement_and_municipal_id if {
	legal_process.r4_review with input as fx.with_basis(fx.request("PUBLIC", "LOCATE_FOR_REMOVAL", "summons", ["offense"]), fx.order(["offense"]))
	legal_process.r4_review with input as fx.with_basis(fx.request("DHS", "CRIMINAL_INVESTIGATION", "summons", ["offense"]), fx.order(["offense"]))
	legal_process.r4_review with input as fx.with_basis(fx.request("FBI", "CRIMINAL_INVESTIGATION", "municipal_id", ["full_name"]), fx.order(["full_name"]))
	not legal_process.grants.r4 with input as fx.with_basis(fx.request("DHS", "CRIMINAL_INVESTIGATION", "summons", ["offense"]), fx.order(["offense"]))
}

test_r5_fires_on_an_admin_subpoena_only if {
	legal_process.matched.r5.id == "R5" with input as fx.with_basis(fx.base, {"type": "ADMIN_SUBPOENA"})
	not legal_process.matched.r5 with input as fx.with_basis(fx.base, {"type": "JUDICIAL_SUBPOENA"})
}

test_r6_fires_on_judicial_and_grand_jury_subpoenas if {
	legal_process.matched.r6.id == "R6" with input as fx.with_basis(fx.base, {"type": "JUDICIAL_SUBPOENA"})
	legal_process.matched.r6 with input as fx.with_basis(fx.base, {"type": "GRAND_JURY_SUBPOENA"})
	not legal_process.matched.r6 with input as fx.with_basis(fx.base, {"type": "ADMIN_SUBPOENA"})
	not legal_process.matched.r6 with input as fx.with_basis(fx.base, fx.order([]))
}
