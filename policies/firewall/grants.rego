# METADATA
# title: Grants and field outcomes of stage 9
# description: |
#   Stage 9 of POLICY-DOMAIN.md: a requested field is released when a matched grant
#   releases it raw and no obligation (R7, R13, R15) withholds it; a field a grant only
#   transforms counts as withheld. A bulk request that R9 grants public fields to gets
#   R9's grant only; an aggregate for a prevention purpose or requester goes through R20
#   only; and a program partner on municipal ID data gets its program fields only.
package firewall.grants

import data.firewall.rules.access
import data.firewall.rules.city
import data.firewall.rules.disclosure
import data.firewall.rules.law_enforcement
import data.firewall.rules.legal_process
import data.firewall.rules.obligations
import data.firewall.rules.surveillance
import data.firewall.terms

_all := object.union_n([
	legal_process.grants,
	disclosure.grants,
	city.grants,
	law_enforcement.grants,
	access.grants,
])

_scoped := object.filter(_all, {"r9"}) if {
	disclosure.public_only
} else := object.filter(_all, {"r20"}) if {
	surveillance.aggregates_through_r20_only
} else := _all

_capped := {rule: {f: mode | some f, mode in grant; f in terms.program_fields} |
	some rule, grant in _scoped
} if {
	city.program_fields_only
}

else := _scoped

# METADATA
# description: The grants that cover at least one requested field, by rule id.
effective[upper(rule)] := grant if {
	some rule, grant in _capped
	count(grant) > 0
}

# METADATA
# description: At least one grant covers a requested field (stage 9 decides, not R26).
granted if count(effective) > 0

_granting := object.keys(effective)

_modes(f) := {rule: mode | some rule, grant in effective; mode := grant[f]}

_raw(f) := {rule | some rule, mode in _modes(f); mode == "raw"}

_transform(f) := {rule | some rule, mode in _modes(f); mode == "transform"}

_withheld_by(f) := object.get(obligations.withheld_by, f, set())

_outcome(f) := {"outcome": "withhold", "rules": _withheld_by(f)} if {
	count(_withheld_by(f)) > 0
} else := {"outcome": "release", "rules": _raw(f)} if {
	count(_raw(f)) > 0
} else := {"outcome": "transform", "rules": _transform(f), "transform": "generalise_location"} if {
	count(_transform(f)) > 0
} else := {"outcome": "withhold", "rules": _granting}

# METADATA
# description: Each requested field's stage 9 outcome and the rules that caused it.
outcomes[f] := _outcome(f) if some f in terms.fields

# METADATA
# description: The requested fields stage 9 releases raw.
released contains f if {
	some f, o in outcomes
	o.outcome == "release"
}

# METADATA
# description: |
#   A grant covered a 311 caller field raw and R15 leaves nothing else to release: the
#   identity itself is what is asked for (REVIEW).
caller_identity_sought if {
	count(released) == 0
	some f in terms.caller_fields
	count(_raw(f)) > 0
}

default decision := "ALLOW_REDACTED"

# METADATA
# scope: document
# description: The stage 9 decision when a grant matched.
decision := "REVIEW" if {
	caller_identity_sought
} else := "DENY" if {
	count(released) == 0
} else := "ALLOW" if {
	count(released) == count(terms.fields)
}

# METADATA
# description: The rules that decided stage 9.
decisive := {"R15"} if {
	caller_identity_sought
} else := {rule | some o in outcomes; some rule in o.rules}
