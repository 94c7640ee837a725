# METADATA
# title: Field obligations
# description: |
#   R7, R13 and R15 of POLICY-DOMAIN.md: the obligations that withhold a field whatever
#   grant would release it.
package firewall.rules.obligations

import data.firewall.lib.cite
import data.firewall.terms

# METADATA
# title: Status and identity documents (class A)
# description: >-
#   A citizenship, immigration status or identity document field was requested. No grant
#   releases it; an outside requester whose valid judicial order lists it goes to legal
#   review. The city should not hold these fields at all: a data-minimisation alert is raised.
# custom:
#   id: R7
#   sources:
#     - Minneapolis Code of Ordinances, Title 2, ch. 19, §19.20 (city staff do not ask about or record immigration status) [U, text summarised, not read]
#     - Minneapolis Code of Ordinances, Title 2, ch. 19, §19.30
#     - Chicago Welcoming City Ordinance 2-173-020 (no status sharing)
#     - IDNYC (no retention of identity documents since 2016)
#   open_questions:
#     - ORDINANCE_19_20_TEXT
matched.r7 := cite.of(rego.metadata.rule()) if {
	count(class_a) > 0
	not terms.subject_authorized
}

# METADATA
# description: The requested class A fields.
class_a := terms.requested_of_class("A")

# METADATA
# description: R7's REVIEW arm, an outside requester's valid judicial order listing a requested class A field.
r7_review if {
	matched.r7
	terms.outside_requester
	count(class_a & terms.order_listed_fields) > 0
}

# METADATA
# title: Protected traits (class B)
# description: >-
#   A birth country, national origin, religion, language, gender or preferred name field
#   was requested record-level by an outside requester. It is withheld unless a valid
#   judicial order lists it; aggregates go through R20.
# custom:
#   id: R13
#   sources:
#     - San Francisco Admin. Code ch. 12H and ch. 103 (no registries by religion, national origin or ethnicity)
#     - NYC Admin. Code 23-1201 (identifying information)
#     - Minneapolis Code of Ordinances, Title 2, ch. 19, §19.20 [U, text summarised, not read]
matched.r13 := cite.of(rego.metadata.rule()) if {
	count(terms.requested_of_class("B")) > 0
	terms.record_level
	terms.outside_requester
}

# METADATA
# title: 311 caller identity is confidential
# description: >-
#   A 311 caller's name, phone, e-mail or device was requested. The identity of people who
#   complain is confidential and withheld; the rest of the request proceeds on its own
#   merits. When nothing else would be released, the identity itself is what is asked for
#   and the request is held for review.
# custom:
#   id: R15
#   sources:
#     - Minn. Stat. §13.44 (identities of people who complain about real-property use are confidential)
matched.r15 := cite.of(rego.metadata.rule()) if count(terms.caller_fields) > 0

# METADATA
# scope: document
# description: The rules whose obligation withholds a requested field.
withheld_by[f] contains "R7" if {
	matched.r7
	some f in class_a
}

withheld_by[f] contains "R13" if {
	matched.r13
	some f in (terms.requested_of_class("B") - terms.order_listed_fields)
}

withheld_by[f] contains "R15" if {
	matched.r15
	some f in terms.caller_fields
}
