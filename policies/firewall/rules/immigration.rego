# METADATA
# title: Immigration enforcement rules
# description: R1, R2, R3, R8, R23 and R27 of POLICY-DOMAIN.md.
package firewall.rules.immigration

import data.firewall.lib.cite
import data.firewall.terms

# METADATA
# title: No city data for civil immigration enforcement
# description: >-
#   The purpose is civil immigration enforcement, which city data is not used for. The
#   request is denied; only legal process that covers it sends it to legal review.
# custom:
#   id: R1
#   sources:
#     - Minneapolis Code of Ordinances, Title 2, ch. 19, §19.10 (city programs do not enforce federal immigration law)
#     - Minneapolis Code of Ordinances, Title 2, ch. 19, §19.30 (no detection or verification of immigration status)
#     - Minneapolis separation ordinance, December 2025 amendment (city data and technology) [S, news reports]
#     - Chicago Welcoming City Ordinance 2-173-020
#     - California SB 54, Gov. Code 7284.6
#   open_questions:
#     - ORDINANCE_TEXT_2025
matched["r1"] := cite.of(rego.metadata.rule()) if terms.immigration_purpose

# METADATA
# title: Immigration enforcement requesters
# description: >-
#   The requester is an immigration enforcement agency. The request is denied; only legal
#   process that covers it sends it to legal review.
# custom:
#   id: R2
#   sources:
#     - Minneapolis Code of Ordinances, Title 2, ch. 19, §19.30 (no detection or verification of immigration status)
#     - Minneapolis separation ordinance, December 2025 amendment (no agreements with immigration enforcement agencies) [S, news reports]
#     - Chicago Welcoming City Ordinance 2-173-020 and 2-173-030
#   open_questions:
#     - ORDINANCE_TEXT_2025
matched["r2"] := cite.of(rego.metadata.rule()) if terms.enforcement_requester

# METADATA
# title: Administrative immigration documents are no authority
# description: >-
#   The legal basis is an administrative immigration document (warrant form, notice,
#   removal order, detainer, database hit or letter). It is not signed by a judge and never
#   counts as authority: the request is denied.
# custom:
#   id: R3
#   sources:
#     - Illinois TRUST Act, 5 ILCS 805 (civil immigration warrants are not approved or ordered by a judge)
#     - Chicago Welcoming City Ordinance 2-173-030 (administrative warrants and detainers are no basis)
#     - California SB 54, Gov. Code 7284.6 (no transfers without a judicial warrant)
#     - Minnesota Attorney General opinion of 6 Feb 2025 (holding on an ICE detainer is an unlawful arrest)
#     - Hennepin County does not honour detainers
#   open_questions:
#     - ORDINANCE_TEXT_2025
matched["r3"] := cite.of(rego.metadata.rule()) if terms.basis_in("admin_immigration_documents")

# METADATA
# title: Status-only inquiries under 8 U.S.C. 1373 and 1644
# description: >-
#   Only citizenship or immigration status is asked for under 8 U.S.C. 1373 or 1644, which
#   cover status information only. The request is held for legal review.
# custom:
#   id: R8
#   sources:
#     - 8 U.S.C. 1373 and 1644 (sending status information only; not addresses or release dates)
#     - U.S. v. California (9th Cir. 2019)
matched["r8"] := cite.of(rego.metadata.rule()) if {
	count(terms.fields) > 0
	count(terms.fields - terms.system_list("status")) == 0
	_status_inquiry
}

_status_inquiry if terms.basis_in("status_statutes")

_status_inquiry if terms.purpose_in("status_inquiry")

# METADATA
# title: No release, custody or court dates for immigration enforcement
# description: >-
#   Release dates, custody status or court dates are asked for by an immigration
#   enforcement agency or for an immigration purpose. The request is denied.
# custom:
#   id: R23
#   sources:
#     - California SB 54, Gov. Code 7284.6 (no release dates)
#     - Minnesota Attorney General opinion of 6 Feb 2025 (holding on an ICE detainer is an unlawful arrest)
#     - Hennepin County does not honour detainers
#     - U.S. v. California (9th Cir. 2019) (8 U.S.C. 1373 does not cover release dates)
matched["r23"] := cite.of(rego.metadata.rule()) if {
	count(terms.fields & terms.system_list("custody")) > 0
	_immigration_enforcement
}

_immigration_enforcement if terms.enforcement_requester

_immigration_enforcement if terms.immigration_purpose

# METADATA
# title: No parking or plate data for immigration enforcement
# description: >-
#   Parking ramp logs, plate reads or camera footage are asked for by an immigration
#   enforcement agency or for an immigration purpose. The request is denied.
# custom:
#   id: R27
#   sources:
#     - Minneapolis separation ordinance, December 2025 amendment (city data and technology; no staging on city property) [S, news reports]
#     - California SB 54, Gov. Code 7284.6
#   open_questions:
#     - ORDINANCE_TEXT_2025
matched["r27"] := cite.of(rego.metadata.rule()) if {
	terms.system == "parking"
	_immigration_enforcement
}

# METADATA
# description: R1 and R2 yield DENY without legal process covering the request.
r1_r2_deny if {
	_immigration_rule
	not terms.legal_process
}

# METADATA
# description: R1 and R2 yield REVIEW with legal process covering the request.
r1_r2_review if {
	_immigration_rule
	terms.legal_process
}

_immigration_rule if matched.r1

_immigration_rule if matched.r2
