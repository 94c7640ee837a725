package firewall.rules.audit_test

import data.firewall.lib.fixtures_test as fx
import data.firewall.rules.audit

test_r25_fires_on_every_request if {
	audit.matched.r25.id == "R25" with input as fx.base
	audit.matched.r25.id == "R25" with input as {}
}

test_council_report_for_immigration_related_requests if {
	audit.council_report == true with input as fx.request("ICE_ERO", "RESEARCH", "summons", ["offense"])
	audit.council_report == true with input as fx.request("MPD", "STATUS_VERIFICATION", "summons", ["offense"])
	audit.council_report == true with input as fx.with_basis(fx.base, {"type": "ICE_REQUEST_LETTER"})
}

test_no_council_report_otherwise if {
	audit.council_report == false with input as fx.base
	audit.council_report == false with input as fx.request("FBI", "CRIMINAL_INVESTIGATION", "summons", ["offense"])
}
