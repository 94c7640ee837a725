# METADATA
# title: Access rules
# description: R20, R21 and R22 of POLICY-DOMAIN.md (research and oversight, the subject's own record, unverified requesters).
package firewall.rules.access

import data.firewall.lib.cite
import data.firewall.terms

# METADATA
# title: Research, journalism and oversight
# description: >-
#   Research, journalism or oversight reporting. Aggregates are released with small cells
#   suppressed; record-level data only under a data use agreement and de-identified
#   (locations generalised, direct identifiers and protected traits withheld).
# custom:
#   id: R20
#   sources:
#     - San Francisco Admin. Code ch. 12H and ch. 103 (aggregates allowed)
#     - Minnesota Government Data Practices Act, Minn. Stat. ch. 13
#     - Minneapolis separation ordinance, December 2025 amendment (reports to the Council) [S, news reports]
#   open_questions:
#     - SMALL_CELL_THRESHOLD
matched["r20"] := cite.of(rego.metadata.rule()) if terms.purpose_in("research")

# METADATA
# description: R20's aggregate arm (selection AGGREGATE).
r20_aggregate if {
	matched.r20
	not terms.record_level
}

# METADATA
# description: R20's de-identified arm (record-level with a data use agreement basis or attestation).
r20_deidentified if {
	matched.r20
	terms.record_level
	_data_use_agreement
}

_data_use_agreement if terms.basis_in("data_use_agreements")

_data_use_agreement if terms.attested("data_use_agreement")

# METADATA
# scope: document
# description: |
#   R20's grant: every requested field as aggregates (raw: small cells are suppressed in
#   the values), or de-identified: locating fields generalised (transform), class D and E
#   fields raw, every other field withheld.
grants["r20"] := {f: "raw" | some f in terms.fields} if r20_aggregate

grants["r20"] := object.union(
	{f: "transform" | some f in (terms.fields & terms.system_list("locating"))},
	{f: "raw" | some f in (terms.fields - terms.system_list("locating")); terms.field_class(f) in {"D", "E"}},
) if {
	r20_deidentified
}

# METADATA
# title: The data subject's own record
# description: >-
#   The data subject, a representative or an agency acting on the subject's verified
#   written release asked for one person's own record. Every requested field of it is
#   released, except 311 caller identity.
# custom:
#   id: R21
#   sources:
#     - Minnesota Government Data Practices Act, Minn. Stat. ch. 13 (rights of data subjects)
matched["r21"] := cite.of(rego.metadata.rule()) if {
	terms.subject_authorized
	object.get(data.catalog.systems, [terms.system, "holds_personal_records"], false) == true
}

# METADATA
# description: R21's grant, every requested field (raw).
grants["r21"] := {f: "raw" | some f in terms.fields} if matched.r21

# METADATA
# title: Unverified requester
# description: >-
#   Authentication did not verify who is asking. Nothing is released and the attempt is
#   reported.
# custom:
#   id: R22
#   sources:
#     - Minneapolis separation ordinance, December 2025 amendment (reports to the Council when federal agencies ask for help) [S, news reports]
#     - Minnesota Government Data Practices Act, Minn. Stat. ch. 13
matched["r22"] := cite.of(rego.metadata.rule()) if not terms.requester_verified
