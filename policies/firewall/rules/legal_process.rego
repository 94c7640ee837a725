# METADATA
# title: Legal process rules
# description: R4, R5 and R6 of POLICY-DOMAIN.md.
package firewall.rules.legal_process

import data.firewall.lib.cite
import data.firewall.terms

# METADATA
# title: Valid judicial order
# description: >-
#   A judge-signed warrant or court order, naming a court, unexpired and covering the
#   request, was presented. For an immigration purpose, an immigration enforcement agency
#   or municipal ID data it goes to legal review; otherwise it releases the fields it lists.
# custom:
#   id: R4
#   sources:
#     - Chicago Welcoming City Ordinance 2-173-020 (court order or lawfully issued judicial warrant)
#     - California SB 54, Gov. Code 7284.6 (judicial warrant)
#     - Minneapolis Code of Ordinances, Title 2, ch. 19, §19.30 (assisting federal criminal investigations)
matched["r4"] := cite.of(rego.metadata.rule()) if terms.valid_judicial_order

# METADATA
# description: R4's REVIEW arm.
r4_review if {
	matched.r4
	_sensitive
}

_sensitive if terms.immigration_purpose

_sensitive if terms.enforcement_requester

_sensitive if terms.system == "municipal_id"

# METADATA
# description: R4's grant, the requested fields the order lists (raw).
grants["r4"] := {f: "raw" | some f in (terms.fields & terms.order_listed_fields)} if {
	matched.r4
	not _sensitive
}

# METADATA
# title: Administrative subpoena goes to legal review
# description: >-
#   The basis is an administrative subpoena. It is not self-executing and releases nothing
#   by itself: the request is held for legal review (a court's enforcement order is judicial).
# custom:
#   id: R5
#   sources:
#     - 8 U.S.C. 1225(d)(4) and 8 CFR 287.4 (administrative subpoena, not self-executing)
#     - ICE v. Gomez (D. Colo. 2020) (a federal court can order compliance)
#     - Chicago Welcoming City Ordinance 2-173-030
matched["r5"] := cite.of(rego.metadata.rule()) if terms.basis_in("admin_subpoenas")

# METADATA
# title: Judicial and grand-jury subpoenas are verified
# description: >-
#   The basis is a judicial or grand-jury subpoena. A reviewer verifies it before the
#   minimum necessary is released: the request is held for review.
# custom:
#   id: R6
#   sources:
#     - Minneapolis Code of Ordinances, Title 2, ch. 19, §19.30 (assisting federal criminal investigations, which must be documented)
#     - Minnesota Government Data Practices Act, Minn. Stat. ch. 13
#   open_questions:
#     - GRAND_JURY_SUBPOENA_JUDICIAL
matched["r6"] := cite.of(rego.metadata.rule()) if terms.basis_in("judicial_subpoenas")
