# METADATA
# title: City rules
# description: R14 and R18 of POLICY-DOMAIN.md (municipal ID data, city departments and program partners).
package firewall.rules.city

import data.firewall.lib.cite
import data.firewall.terms

# METADATA
# title: Municipal ID data
# description: >-
#   Municipal ID data was asked for. Only the issuing office, the card holder and the
#   program partners (for their program fields only) get it; any other requester is
#   denied, or with judicial process the request goes to legal review.
# custom:
#   id: R14
#   sources:
#     - IDNYC (no retention of identity documents since 2016; the issuing office alone holds the data)
#     - NYC Admin. Code 23-1201 (identifying information)
#     - Minneapolis separation ordinance, December 2025 amendment (city data and technology) [S, news reports]
#   open_questions:
#     - MUNICIPAL_ID_NOT_PUBLIC
matched["r14"] := cite.of(rego.metadata.rule()) if terms.system == "municipal_id"

_r14_closed if {
	matched.r14
	terms.outside_requester
	not terms.program_partner
}

# METADATA
# description: R14's DENY arm, an outside requester other than a program partner without judicial process.
r14_deny if {
	_r14_closed
	not terms.judicial_process
}

# METADATA
# description: R14's REVIEW arm, an outside requester other than a program partner with judicial process.
r14_review if {
	_r14_closed
	terms.judicial_process
}

# METADATA
# description: R14's grant, a program partner's program fields (raw).
grants["r14"] := _program_grant if {
	matched.r14
	terms.program_partner
}

_program_grant[f] := "raw" if some f in (terms.fields & terms.program_fields)

# METADATA
# description: On municipal ID data a program partner gets its program fields only, whatever else grants.
program_fields_only if {
	matched.r14
	terms.program_partner
}

# METADATA
# title: City departments and program partners
# description: >-
#   A city department or program partner asked. Verifying immigration status is denied and
#   raises an internal violation alert. Otherwise city departments (but the Council, whose
#   oversight goes through aggregates) get identifying and service fields, protected traits
#   too for service delivery, and program partners their program fields.
# custom:
#   id: R18
#   sources:
#     - Minneapolis Code of Ordinances, Title 2, ch. 19, §19.10 and §19.30
#     - Minneapolis Code of Ordinances, Title 2, ch. 19, §19.20 (city staff do not ask about or record immigration status) [U, text summarised, not read]
#     - Minneapolis separation ordinance, December 2025 amendment (city-contracted vendors) [S, news reports]
#   open_questions:
#     - ORDINANCE_19_20_TEXT
matched["r18"] := cite.of(rego.metadata.rule()) if _r18

_r18 if terms.city_department

_r18 if terms.program_partner

# METADATA
# description: R18's DENY arm, purpose STATUS_VERIFICATION, with an internal violation alert.
r18_deny if {
	matched.r18
	terms.purpose_in("status_verification")
}

_department_classes contains "C"

_department_classes contains "D"

_department_classes contains "B" if terms.purpose_in("protected_traits_service")

# METADATA
# description: R18's grant to a city department other than the Council (raw).
grants["r18"] := {f: "raw" | some f in terms.fields; terms.field_class(f) in _department_classes} if {
	matched.r18
	not r18_deny
	terms.city_department
	not terms.agency_class("council_oversight")
}

# METADATA
# description: R18's grant to a program partner, its program fields on municipal ID (raw).
grants["r18"] := _program_grant if {
	matched.r18
	not r18_deny
	terms.program_partner
}
