# METADATA
# title: Firewall decision
# description: |
#   The decision on one record request under the separation ordinance (POLICY-DOMAIN.md,
#   rules R1 to R27), in the shape of the contract in policies/README.md.
package firewall.decision

import data.firewall.fields
import data.firewall.lib.ids
import data.firewall.rules.access
import data.firewall.rules.audit
import data.firewall.rules.city
import data.firewall.rules.disclosure
import data.firewall.rules.immigration
import data.firewall.rules.law_enforcement
import data.firewall.rules.legal_process
import data.firewall.rules.obligations
import data.firewall.rules.surveillance
import data.firewall.stages
import data.firewall.terms

_matched := object.union_n([
	immigration.matched,
	legal_process.matched,
	obligations.matched,
	disclosure.matched,
	surveillance.matched,
	law_enforcement.matched,
	city.matched,
	access.matched,
	audit.matched,
	stages.matched,
])

_cited[c.id] := c if some c in _matched

_cited_ids := ids.sorted(object.keys(_cited))

_rules := [{"id": id, "title": _cited[id].title, "sources": _cited[id].sources} | some id in _cited_ids]

_reasons := [{"rule": id, "text": _cited[id].reason} | some id in _cited_ids]

_alerts contains [7, {"code": "CLASS_A_REQUESTED", "rule": "R7", "fields": sort(obligations.class_a)}] if {
	count(obligations.class_a) > 0
}

_alerts contains [18, {"code": "INTERNAL_STATUS_VERIFICATION", "rule": "R18", "fields": sort(terms.fields)}] if {
	city.r18_deny
}

_alerts contains [22, {"code": "UNVERIFIED_REQUESTER", "rule": "R22", "fields": sort(terms.fields)}] if {
	access.matched.r22
}

_open_questions contains id if {
	some id, question in data.open_questions
	_relevant(object.get(question, "when", {}))
}

_relevant(when) if {
	some rule in object.get(when, "rules", [])
	_cited[rule]
}

_relevant(when) if terms.agency in object.get(when, "agencies", [])

_relevant(when) if terms.purpose in object.get(when, "purposes", [])

_relevant(when) if terms.basis_type in object.get(when, "basis_types", [])

_relevant(when) if terms.system in object.get(when, "systems", [])

_relevant(when) if terms.selection in object.get(when, "selections", [])

_relevant(when) if {
	terms.record_level
	terms.subject_count > when.record_level_subjects_above
}

# METADATA
# title: Firewall decision
# description: >-
#   Always defined. decision, per-field outcomes, released and withheld fields, every
#   matched rule with its title and sources, the decisive rules, plain-language reasons,
#   alerts, the Council report flag and the open questions relevant to the decision.
# entrypoint: true
result := {
	"decision": stages.decision,
	"fields": fields.outcomes,
	"released": fields.released,
	"withheld": fields.withheld,
	"rules": _rules,
	"decisive": ids.sorted(stages.decisive),
	"reasons": _reasons,
	"alerts": [alert | some [_, alert] in sort(_alerts)],
	"councilReport": audit.council_report,
	"openQuestions": sort(_open_questions),
}
