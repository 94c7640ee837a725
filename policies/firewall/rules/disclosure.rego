# METADATA
# title: Disclosure channel rules
# description: R9, R10 and R11 of POLICY-DOMAIN.md (public records, bulk requests, feeds and agreements).
package firewall.rules.disclosure

import data.firewall.lib.cite
import data.firewall.rules.access
import data.firewall.terms

# METADATA
# title: Public records requests
# description: >-
#   The request came as a public records request. Public data (arrest and citation data,
#   311 open data) is released to anyone who asks, without a name or reason; from an
#   immigration enforcement agency or for an immigration purpose it goes to legal review.
# custom:
#   id: R9
#   sources:
#     - Minnesota Government Data Practices Act, Minn. Stat. ch. 13 (data are public unless classified otherwise)
#     - Minn. Stat. §13.82 subd. 2 (arrest and citation data public in the originating agency)
#     - Minneapolis 311 open data
#   open_questions:
#     - MUNICIPAL_ID_NOT_PUBLIC
matched["r9"] := cite.of(rego.metadata.rule()) if terms.channel == "PUBLIC_RECORDS"

# METADATA
# description: R9's REVIEW arm, an enforcement requester or an immigration purpose.
r9_review if {
	matched.r9
	_immigration_enforcement
}

_immigration_enforcement if terms.enforcement_requester

_immigration_enforcement if terms.immigration_purpose

# METADATA
# description: R9's grant, the requested public fields of the system (raw).
grants["r9"] := {f: "raw" | some f in (terms.fields & terms.system_list("public"))} if {
	matched.r9
	not r9_review
}

# METADATA
# description: R9 grants at least one requested field.
r9_grants_requested if count(grants.r9) > 0

# METADATA
# description: A bulk request that R9 grants public fields to gets R9's grant only.
public_only if {
	terms.bulk
	r9_grants_requested
}

# METADATA
# title: No bulk or dragnet requests
# description: >-
#   The request is for records of everyone matching a trait, of everyone, or of more people
#   than the bulk threshold. A dragnet is denied unless legal process names and covers its
#   subjects, a data use agreement de-identifies it, or only public fields go out.
# custom:
#   id: R10
#   sources:
#     - Chicago Welcoming City Ordinance 2-173-030 (no database access for civil enforcement)
#     - San Francisco Admin. Code ch. 12H and ch. 103 (no registries)
#     - Minneapolis separation ordinance, December 2025 amendment (city data and technology) [S, news reports]
#   open_questions:
#     - BULK_THRESHOLD
matched["r10"] := cite.of(rego.metadata.rule()) if {
	terms.bulk
	not _named_with_process
	not access.r20_deidentified
	not r9_grants_requested
}

_named_with_process if {
	terms.selection == "NAMED"
	terms.legal_process
}

# METADATA
# title: No standing feeds, direct access or data-sharing agreements
# description: >-
#   A standing feed or direct database access was asked for by someone other than a city
#   department, or a data-sharing agreement was offered by an immigration enforcement,
#   federal criminal, prevention or foreign requester. The request is denied.
# custom:
#   id: R11
#   sources:
#     - Chicago Welcoming City Ordinance 2-173-030 (no database access agreements for civil enforcement)
#     - Minneapolis separation ordinance, December 2025 amendment (no agreements with immigration enforcement agencies) [S, news reports]
#     - Strong Cities Network and FBI Shared Responsibility Committee exchanges (the flows to block)
#   open_questions:
#     - ORDINANCE_TEXT_2025
matched["r11"] := cite.of(rego.metadata.rule()) if _r11

_r11 if {
	terms.channel in {"STANDING_FEED", "DIRECT_DB_ACCESS"}
	not terms.city_department
}

_r11 if {
	terms.basis_in("data_sharing_agreements")
	some c in {"enforcement", "federal_criminal", "prevention", "foreign_government"}
	terms.agency_class(c)
}
