# METADATA
# title: Surveillance rules
# description: R12 and R24 of POLICY-DOMAIN.md (prevention programs, registries, foreign governments).
package firewall.rules.surveillance

import data.firewall.lib.cite
import data.firewall.terms

# METADATA
# title: No prevention-program referrals or registries
# description: >-
#   The request has a prevention, threat-assessment or registry purpose, or comes from a
#   prevention program. Individual referrals, participant lists, suspicious activity
#   exchanges and lists of people by religion, national origin or ethnicity are denied;
#   aggregates go only through the research and oversight rule (R20).
# custom:
#   id: R12
#   sources:
#     - San Francisco Admin. Code ch. 12H and ch. 103 (no registries by religion, national origin or ethnicity)
#     - 2015 Minneapolis–St. Paul Building Community Resilience pilot (targeted Somali Minnesotans)
#     - Strong Cities Network, FBI Shared Responsibility Committees, DHS CP3/TVTP grants (the flows to block)
#   open_questions:
#     - STRONG_CITIES_NETWORK
matched["r12"] := cite.of(rego.metadata.rule()) if _prevention

_prevention if terms.purpose_in("prevention")

_prevention if terms.prevention_requester

# METADATA
# description: R12's DENY arm, a record-level request.
r12_deny if {
	matched.r12
	terms.record_level
}

# METADATA
# description: R12's aggregate arm, aggregates only through R20.
aggregates_through_r20_only if {
	matched.r12
	not terms.record_level
}

# METADATA
# title: Foreign governments
# description: >-
#   A foreign government asked for city data for a purpose other than a criminal
#   investigation. Locating nationals is surveillance by national origin: denied.
# custom:
#   id: R24
#   sources:
#     - San Francisco Admin. Code ch. 12H and ch. 103 (no registries by national origin)
#     - Minneapolis Code of Ordinances, Title 2, ch. 19, §19.10
matched["r24"] := cite.of(rego.metadata.rule()) if {
	terms.foreign_government
	not terms.purpose_in("foreign_government_permitted")
}
