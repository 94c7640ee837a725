# METADATA
# title: Staged decision
# description: |
#   The evaluation order of POLICY-DOMAIN.md: every rule is evaluated and cited when it
#   matches; the decision comes from the first stage in which a matched rule yields one.
package firewall.stages

import data.firewall.grants
import data.firewall.lib.cite
import data.firewall.rules.access
import data.firewall.rules.city
import data.firewall.rules.disclosure
import data.firewall.rules.immigration
import data.firewall.rules.law_enforcement
import data.firewall.rules.legal_process
import data.firewall.rules.obligations
import data.firewall.rules.surveillance

# Stage 1: R22.
_yields contains [1, "R22", "DENY"] if access.matched.r22

# Stage 2: hard denials.
_yields contains [2, "R11", "DENY"] if disclosure.matched.r11

_yields contains [2, "R12", "DENY"] if surveillance.r12_deny

_yields contains [2, "R24", "DENY"] if surveillance.matched.r24

_yields contains [2, "R27", "DENY"] if immigration.matched.r27

_yields contains [2, "R3", "DENY"] if immigration.matched.r3

_yields contains [2, "R23", "DENY"] if immigration.matched.r23

# Stage 3: R8.
_yields contains [3, "R8", "REVIEW"] if immigration.matched.r8

# Stage 4: R9 for an enforcement requester or an immigration purpose.
_yields contains [4, "R9", "REVIEW"] if disclosure.r9_review

# Stage 5: R10.
_yields contains [5, "R10", "DENY"] if disclosure.matched.r10

# Stage 6: R1 and R2, DENY if either yields DENY, else REVIEW with the process they name.
_yields contains [6, "R1", "DENY"] if {
	immigration.matched.r1
	immigration.r1_r2_deny
}

_yields contains [6, "R1", "REVIEW"] if {
	immigration.matched.r1
	immigration.r1_r2_review
}

_yields contains [6, "R2", "DENY"] if {
	immigration.matched.r2
	immigration.r1_r2_deny
}

_yields contains [6, "R2", "REVIEW"] if {
	immigration.matched.r2
	immigration.r1_r2_review
}

# Stage 7: the DENY arms of R14, R17 and R18.
_yields contains [7, "R14", "DENY"] if city.r14_deny

_yields contains [7, "R17", "DENY"] if law_enforcement.r17_deny

_yields contains [7, "R18", "DENY"] if city.r18_deny

# Stage 8: review routes.
_yields contains [8, "R5", "REVIEW"] if legal_process.matched.r5

_yields contains [8, "R6", "REVIEW"] if legal_process.matched.r6

_yields contains [8, "R4", "REVIEW"] if legal_process.r4_review

_yields contains [8, "R7", "REVIEW"] if obligations.r7_review

_yields contains [8, "R14", "REVIEW"] if city.r14_review

_yields contains [8, "R16", "REVIEW"] if law_enforcement.r16_review

# METADATA
# description: The first of stages 1 to 8 in which a matched rule yields a decision.
stage := min({s | some [s, _, _] in _yields})

_stage_yields contains [rule, decision] if {
	some [s, rule, decision] in _yields
	s == stage
}

default _early_decision := "REVIEW"

_early_decision := "DENY" if {
	some [_, "DENY"] in _stage_yields
}

# METADATA
# title: Default deny
# description: >-
#   No rule yields a decision or grants a requested field (unknown agencies, purposes and
#   basis types included). Nothing is released.
# custom:
#   id: R26
#   sources:
#     - Minneapolis separation ordinance, December 2025 amendment (city data and technology) [S, news reports]
#     - Minnesota Government Data Practices Act, Minn. Stat. ch. 13
matched["r26"] := cite.of(rego.metadata.rule()) if {
	not stage
	not grants.granted
}

default decision := "DENY"

# METADATA
# scope: document
# description: The decision.
decision := _early_decision if {
	stage
} else := grants.decision if {
	grants.granted
}

default decisive := {"R26"}

# METADATA
# scope: document
# description: The rule(s) of the stage that decided.
decisive := {rule | some [rule, d] in _stage_yields; d == _early_decision} if {
	stage
} else := grants.decisive if {
	grants.granted
}
