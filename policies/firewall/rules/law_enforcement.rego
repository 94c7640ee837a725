# METADATA
# title: Law enforcement rules
# description: R16, R17 and R19 of POLICY-DOMAIN.md (federal criminal agencies, local law enforcement, courts and prosecutors).
package firewall.rules.law_enforcement

import data.firewall.lib.cite
import data.firewall.terms

# METADATA
# title: Federal criminal agencies
# description: >-
#   A federal criminal agency asked for a purpose other than immigration. With a valid
#   judicial order the order decides; otherwise the request is held for review.
# custom:
#   id: R16
#   sources:
#     - Minneapolis Code of Ordinances, Title 2, ch. 19, §19.30 (assisting federal criminal investigations, which must be documented)
matched["r16"] := cite.of(rego.metadata.rule()) if {
	terms.federal_criminal
	not terms.immigration_purpose
}

# METADATA
# description: R16's REVIEW arm, without a valid judicial order.
r16_review if {
	matched.r16
	not terms.valid_judicial_order
}

# METADATA
# title: Local law enforcement
# description: >-
#   A county sheriff or other police department asked. A criminal purpose with a valid
#   judicial order is decided by the order; a criminal purpose with an attestation of no
#   onward immigration sharing gets identifying and service fields; anything else is denied.
# custom:
#   id: R17
#   sources:
#     - Minneapolis Code of Ordinances, Title 2, ch. 19, §19.30
#     - Minnesota Attorney General opinion of 6 Feb 2025 (holding on an ICE detainer is an unlawful arrest)
#     - Hennepin County does not honour detainers
#     - California SB 54, Gov. Code 7284.6 (no release dates)
matched["r17"] := cite.of(rego.metadata.rule()) if terms.local_law_enforcement

_r17_attested if {
	terms.criminal_purpose
	not terms.valid_judicial_order
	terms.attested("no_onward_immigration_sharing")
}

# METADATA
# description: R17's grant, class C and D fields (raw), for a criminal purpose with the attestation.
grants["r17"] := {f: "raw" | some f in terms.fields; terms.field_class(f) in {"C", "D"}} if {
	matched.r17
	_r17_attested
}

# METADATA
# scope: document
# description: R17's DENY arm, any other purpose or no attestation.
r17_deny if {
	matched.r17
	not terms.criminal_purpose
}

r17_deny if {
	matched.r17
	terms.criminal_purpose
	not terms.valid_judicial_order
	not _r17_attested
}

# METADATA
# title: Courts and prosecutors processing criminal cases
# description: >-
#   A court or prosecutor asked to process a criminal case. It gets the case fields: every
#   field but status, identity documents, protected traits and 311 caller identity.
# custom:
#   id: R19
#   sources:
#     - Minneapolis Code of Ordinances, Title 2, ch. 19, §19.30(a)(2) (prosecutorial uses)
#     - Minn. Stat. §13.82 subd. 2
matched["r19"] := cite.of(rego.metadata.rule()) if {
	terms.court_prosecutor
	terms.purpose_in("case_processing")
}

# METADATA
# description: R19's grant, the requested case fields (raw).
grants["r19"] := {f: "raw" | some f in (terms.fields & terms.case_fields)} if matched.r19
