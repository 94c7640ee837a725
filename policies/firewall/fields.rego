# METADATA
# title: Field outcomes
# description: |
#   The outcome of every requested field. A DENY or REVIEW releases nothing: every
#   requested field is withheld, citing the decisive rules and any obligation on it.
package firewall.fields

import data.firewall.grants
import data.firewall.lib.ids
import data.firewall.rules.obligations
import data.firewall.stages
import data.firewall.terms

_allowed if stages.decision in {"ALLOW", "ALLOW_REDACTED"}

_held(f) := {
	"outcome": "withhold",
	"rules": ids.sorted(stages.decisive | object.get(obligations.withheld_by, f, set())),
}

_granted(f) := object.union(grants.outcomes[f], {"rules": ids.sorted(grants.outcomes[f].rules)})

# METADATA
# description: Each requested field's outcome (release, withhold or transform) and the rules that caused it.
outcomes := {f: _granted(f) | some f in terms.fields} if {
	_allowed
} else := {f: _held(f) | some f in terms.fields}

# METADATA
# description: The requested fields released raw, sorted.
released := sort([f | some f, o in outcomes; o.outcome == "release"])

# METADATA
# description: The requested fields withheld or transformed, sorted.
withheld := sort([f | some f, o in outcomes; o.outcome != "release"])
