package firewall.decision_test

import data.firewall.decision
import data.firewall.lib.fixtures_test as fx

_cases := data.firewall.testdata

_result(c) := r if {
	r := decision.result with input as c.input
}

_cited(r) := {rule.id | some rule in r.rules}

# One evaluation per case: the expectations and the contract checks share it.
_problems(c) := p if {
	p := _check(c.expect, _r) | _violations with input as c.input
}

_check(expect, r) := (({m |
	r.decision != expect.decision
	m := sprintf("decision %s, expected %s", [r.decision, expect.decision])
} | {m |
	some f in object.get(expect, "released", [])
	not f in r.released
	m := sprintf("%s not released", [f])
}) | {m |
	some f in object.get(expect, "withheld", [])
	not f in r.withheld
	m := sprintf("%s not withheld", [f])
}) | {m |
	some id in object.get(expect, "rules", [])
	not id in _cited(r)
	m := sprintf("%s not cited", [id])
}

# The golden cases run in eight parts (by index) so that each test stays well inside
# opa test's per-test timeout with tracing (-v) and coverage on. The comprehensions are
# inline: wrapped in a function they are several times slower under tracing.
test_golden_cases_part_0 if {
	failures := {c.name: p | some i, c in _cases; i % 8 == 0; p := _problems(c); count(p) > 0}
	print("golden case failures (expectations and contract):", failures)
	count(failures) == 0
}

test_golden_cases_part_1 if {
	failures := {c.name: p | some i, c in _cases; i % 8 == 1; p := _problems(c); count(p) > 0}
	print("golden case failures (expectations and contract):", failures)
	count(failures) == 0
}

test_golden_cases_part_2 if {
	failures := {c.name: p | some i, c in _cases; i % 8 == 2; p := _problems(c); count(p) > 0}
	print("golden case failures (expectations and contract):", failures)
	count(failures) == 0
}

test_golden_cases_part_3 if {
	failures := {c.name: p | some i, c in _cases; i % 8 == 3; p := _problems(c); count(p) > 0}
	print("golden case failures (expectations and contract):", failures)
	count(failures) == 0
}

test_golden_cases_part_4 if {
	failures := {c.name: p | some i, c in _cases; i % 8 == 4; p := _problems(c); count(p) > 0}
	print("golden case failures (expectations and contract):", failures)
	count(failures) == 0
}

test_golden_cases_part_5 if {
	failures := {c.name: p | some i, c in _cases; i % 8 == 5; p := _problems(c); count(p) > 0}
	print("golden case failures (expectations and contract):", failures)
	count(failures) == 0
}

test_golden_cases_part_6 if {
	failures := {c.name: p | some i, c in _cases; i % 8 == 6; p := _problems(c); count(p) > 0}
	print("golden case failures (expectations and contract):", failures)
	count(failures) == 0
}

test_golden_cases_part_7 if {
	failures := {c.name: p | some i, c in _cases; i % 8 == 7; p := _problems(c); count(p) > 0}
	print("golden case failures (expectations and contract):", failures)
	count(failures) == 0
}

test_golden_cases_are_many if count(_cases) > 100

test_golden_case_names_are_unique if {
	count({c.name | some c in _cases}) == count(_cases)
}

# The contract of policies/README.md, checked on every golden case by _problems.
_r := decision.result

_requested := {f | some f in object.get(input, "fields", [])}

_violations contains "a DENY or REVIEW released something" if {
	_r.decision in {"DENY", "REVIEW"}
	some o in _r.fields
	o.outcome != "withhold"
}

_violations contains "released and withheld do not partition the requested fields" if {
	partition := {f | some f in _r.released} | {f | some f in _r.withheld}
	partition != _requested
}

_violations contains "released does not match the release outcomes" if {
	_r.released != sort([f | some f, o in _r.fields; o.outcome == "release"])
}

_violations contains "a field outcome names no rule" if {
	some o in _r.fields
	count(o.rules) == 0
}

_violations contains "transform appears without outcome transform" if {
	some o in _r.fields
	_transform_mismatch(o)
}

_violations contains "R25 is not cited" if not "R25" in _cited(_r)

_violations contains "a decisive rule is not cited" if {
	some id in _r.decisive
	not id in _cited(_r)
}

_violations contains "no decisive rule" if count(_r.decisive) == 0

_violations contains "a cited rule has no title or source" if {
	some rule in _r.rules
	not _complete(rule)
}

_violations contains "cited rules are not one per id in rule order" if {
	nums := [to_number(substring(rule.id, 1, -1)) | some rule in _r.rules]
	nums != sort({n | some n in nums})
}

_violations contains "a reason is missing" if {
	[x.rule | some x in _r.reasons] != [rule.id | some rule in _r.rules]
}

_violations contains "ALLOW withheld a field" if {
	_r.decision == "ALLOW"
	count(_r.withheld) > 0
}

_violations contains "ALLOW_REDACTED is not mixed" if {
	_r.decision == "ALLOW_REDACTED"
	not _mixed(_r)
}

_transform_mismatch(o) if {
	o.outcome == "transform"
	not o.transform
}

_transform_mismatch(o) if {
	o.outcome != "transform"
	"transform" in object.keys(o)
}

_mixed(r) if {
	count(r.released) > 0
	count(r.withheld) > 0
}

_complete(rule) if {
	object.keys(rule) == {"id", "title", "sources"}
	rule.title != ""
	count(rule.sources) > 0
}

test_result_has_exactly_the_contract_keys if {
	some c in _cases
	object.keys(_result(c)) == {
		"decision", "fields", "released", "withheld", "rules", "decisive",
		"reasons", "alerts", "councilReport", "openQuestions",
	}
}

test_result_is_defined_for_malformed_input if {
	decision.result.decision == "DENY" with input as "not an object"
	decision.result.decision == "DENY" with input as {"requester": "x", "fields": "y", "subjects": 3, "legalBasis": []}
}

# One small request per rule. Every rule R1 to R27 is cited with its title, sources and
# reason, and the open questions the rule annotations name are exactly the policy data's
# questions with their rules.
_subject := {"type": "SUBJECT_AUTHORIZATION", "verified": true}

_one_per_rule := [
	fx.request("MPD", "ENFORCEMENT_LEADS", "summons", ["offense"]),
	fx.request("CBP", "RESEARCH", "summons", ["offense"]),
	fx.with_basis(fx.base, {"type": "DETAINER_I247A"}),
	fx.with_basis(fx.base, fx.order(["service_type"])),
	fx.with_basis(fx.base, {"type": "ADMIN_SUBPOENA"}),
	fx.with_basis(fx.base, {"type": "JUDICIAL_SUBPOENA"}),
	fx.request("CITY_CLERK", "SERVICE_DELIVERY", "municipal_id", ["citizenship"]),
	fx.request("DHS", "STATUS_INQUIRY_1373", "municipal_id", ["citizenship"]),
	object.union(fx.base, {"channel": "PUBLIC_RECORDS"}),
	fx.with_subjects(fx.base, "ALL", 100),
	object.union(fx.request("RESEARCHER", "RESEARCH", "summons", ["offense"]), {"channel": "STANDING_FEED"}),
	fx.request("FUSION_CENTER", "CRIMINAL_INVESTIGATION", "summons", ["offense"]),
	fx.request("MN_COURT", "CRIMINAL_CASE_PROCESSING", "summons", ["interpreter_language"]),
	fx.request("CITY_CLERK", "SERVICE_DELIVERY", "municipal_id", ["full_name"]),
	fx.request("CITY_HEALTH", "SERVICE_DELIVERY", "service_requests", ["caller_name"]),
	fx.request("FBI", "CRIMINAL_INVESTIGATION", "summons", ["offense"]),
	fx.request("HENNEPIN_SHERIFF", "CRIMINAL_INVESTIGATION", "summons", ["offense"]),
	fx.request("MN_COURT", "CRIMINAL_CASE_PROCESSING", "summons", ["offense"]),
	fx.request("RESEARCHER", "RESEARCH", "summons", ["offense"]),
	fx.with_basis(fx.request("DATA_SUBJECT", "OWN_RECORD_ACCESS", "summons", ["offense"]), _subject),
	{},
	fx.request("CBP", "CRIMINAL_INVESTIGATION", "summons", ["court_date"]),
	fx.request("FOREIGN_GOVERNMENT", "LOCATE_NATIONAL", "summons", ["offense"]),
	fx.request("PRIVATE_COMPANY", "MARKETING", "summons", ["offense"]),
	fx.request("ICE_ERO", "RESEARCH", "parking", ["plate_read"]),
]

test_rule_annotations_cover_every_rule_and_agree_with_open_questions if {
	citations := {c | some request in _one_per_rule; some c in _citations(request)}
	{c.id | some c in citations} == {sprintf("R%d", [n]) | some n in numbers.range(1, 27)}
	every c in citations {
		c.title != ""
		count(c.sources) > 0
		c.reason != ""
	}
	annotated := {[q, c.id] | some c in citations; some q in c.openQuestions}
	listed := {[q, id] | some q, question in data.open_questions; some id in question.rules}
	print("annotated only:", annotated - listed, "listed only:", listed - annotated)
	annotated == listed
}

_citations(request) := cs if {
	cs := object.union_n([
		data.firewall.rules.immigration.matched,
		data.firewall.rules.legal_process.matched,
		data.firewall.rules.obligations.matched,
		data.firewall.rules.disclosure.matched,
		data.firewall.rules.surveillance.matched,
		data.firewall.rules.law_enforcement.matched,
		data.firewall.rules.city.matched,
		data.firewall.rules.access.matched,
		data.firewall.rules.audit.matched,
		data.firewall.stages.matched,
	]) with input as request
}

test_open_questions_have_text if {
	every _, question in data.open_questions {
		question.text != ""
	}
}

_fx_result(r) := x if {
	x := decision.result with input as r
}

test_class_a_alert_names_the_class_a_fields if {
	r := fx.request("CITY_CLERK", "SERVICE_DELIVERY", "municipal_id", ["immigration_status", "citizenship", "full_name"])
	_fx_result(r).alerts == [{"code": "CLASS_A_REQUESTED", "rule": "R7", "fields": ["citizenship", "immigration_status"]}]
}

test_class_a_alert_is_raised_for_the_subject_too if {
	r := fx.with_basis(
		fx.request("DATA_SUBJECT", "OWN_RECORD_ACCESS", "municipal_id", ["citizenship"]),
		{"type": "SUBJECT_AUTHORIZATION", "verified": true},
	)
	x := _fx_result(r)
	x.decision == "ALLOW"
	x.alerts[0].code == "CLASS_A_REQUESTED"
	not "R7" in _cited(x)
}

test_internal_status_verification_alert if {
	r := fx.request("METRO_TRANSIT", "STATUS_VERIFICATION", "municipal_id", ["card_status"])
	_fx_result(r).alerts == [{"code": "INTERNAL_STATUS_VERIFICATION", "rule": "R18", "fields": ["card_status"]}]
}

test_no_internal_alert_for_outside_status_verification if {
	r := fx.request("PUBLIC", "STATUS_VERIFICATION", "summons", ["offense"])
	_fx_result(r).alerts == []
}

test_unverified_requester_alert_in_rule_order if {
	r := object.union(
		fx.request("MPD", "STATUS_VERIFICATION", "municipal_id", ["citizenship"]),
		{"requester": {"agency": "MPD", "verified": false}},
	)
	[a.code | some a in _fx_result(r).alerts] == ["CLASS_A_REQUESTED", "INTERNAL_STATUS_VERIFICATION", "UNVERIFIED_REQUESTER"]
}

test_council_report_flag if {
	_fx_result(fx.request("ICE_ERO", "LOCATE_FOR_REMOVAL", "summons", ["offense"])).councilReport == true
	_fx_result(fx.base).councilReport == false
}

test_open_questions_relevant_to_the_request if {
	_fx_result(fx.request("SCN_PARTNER_CITY", "RESEARCH", "service_requests", ["status"])).openQuestions == ["STRONG_CITIES_NETWORK"]
	grand_jury := fx.with_basis(fx.request("FBI", "CRIMINAL_INVESTIGATION", "summons", ["offense"]), {"type": "GRAND_JURY_SUBPOENA"})
	_fx_result(grand_jury).openQuestions == ["GRAND_JURY_SUBPOENA_JUDICIAL"]
	_fx_result(fx.with_subjects(fx.base, "AGGREGATE", 0)).openQuestions == ["SMALL_CELL_THRESHOLD"]
	_fx_result(fx.with_subjects(fx.base, "NAMED", 2)).openQuestions == ["BULK_THRESHOLD"]
	_fx_result(fx.base).openQuestions == []
}

test_reasons_are_the_rule_descriptions_without_request_data if {
	x := _fx_result(fx.request("ICE_ERO", "LOCATE_FOR_REMOVAL", "summons", ["offense"]))
	[r.rule | some r in x.reasons] == ["R1", "R2", "R25"]
	every r in x.reasons {
		not contains(r.text, "offense")
		count(r.text) > 40
	}
}

test_decisive_rules_are_sorted_by_number if {
	r := fx.with_basis(
		fx.request("ICE_ERO", "RELEASE_NOTIFICATION", "summons", ["release_date"]),
		{"type": "DETAINER_I247A"},
	)
	_fx_result(r).decisive == ["R3", "R23"]
}
