# METADATA
# title: Terms and defaults
# description: |
#   The request with the defaults of POLICY-DOMAIN.md applied, and the terms the rules
#   use (enforcement requester, immigration purpose, covers, valid judicial order,
#   judicial process, legal process, subject-authorized, city department, outside
#   requester, record-level, field classes). Lists come from policy data.
package firewall.terms

import data.agencies
import data.catalog
import data.legal_basis
import data.program_partners
import data.purposes
import data.thresholds

import data.firewall.lib.dates

# Optional keys that are absent or null take their default.
_get(obj, path, default_value) := default_value if {
	object.get(obj, path, null) == null
} else := object.get(obj, path, null)

# METADATA
# description: The requesting agency code ("UNKNOWN" when not given).
agency := _get(input, ["requester", "agency"], "UNKNOWN")

# METADATA
# description: Authentication concluded that the requester is who it claims to be.
requester_verified if input.requester.verified == true

# METADATA
# description: The purpose code (required; empty when missing, which grants nothing).
purpose := _get(input, ["purpose", "code"], "")

# METADATA
# description: The channel; a request without one is a RECORD_REQUEST.
channel := _get(input, "channel", "RECORD_REQUEST")

# METADATA
# description: The record system (validated before the policy).
system := _get(input, "system", "")

# METADATA
# description: The set of requested fields (validated before the policy).
fields := {f | some f in _get(input, "fields", [])}

# METADATA
# description: The legal basis; a request without one has basis NONE.
basis := _get(input, "legalBasis", {})

# METADATA
# description: The legal basis type (NONE by default).
basis_type := _get(basis, "type", "NONE")

# METADATA
# description: The subject selection; a request without subjects names one subject.
selection := _get(input, ["subjects", "selection"], "NAMED")

# METADATA
# description: The number of subjects; a request without subjects names one subject.
subject_count := _get(input, ["subjects", "count"], 1)

# METADATA
# description: The attestations given (none by default).
attestations := {a | some a in _get(input, "attestations", [])}

# METADATA
# description: When the request was received (RFC 3339, stamped by the gateway).
received_at := _get(input, "receivedAt", "")

_classes := {c | some c in object.get(agencies, [agency, "classes"], [])}

# METADATA
# description: The requester's agency has the given class in the agency registry.
agency_class(c) if c in _classes

# METADATA
# description: ICE_ERO, CBP, DHS or ICE_287G_PARTNER, and no other.
enforcement_requester if agency_class("enforcement")

# METADATA
# description: A federal criminal agency (R16).
federal_criminal if agency_class("federal_criminal")

# METADATA
# description: A prevention-program requester (R12).
prevention_requester if agency_class("prevention")

# METADATA
# description: Local law enforcement (R17).
local_law_enforcement if agency_class("local_law_enforcement")

# METADATA
# description: A city department.
city_department if agency_class("city_department")

# METADATA
# description: A program partner.
program_partner if agency_class("program_partner")

# METADATA
# description: A foreign government.
foreign_government if agency_class("foreign_government")

# METADATA
# description: A court or prosecutor (R19).
court_prosecutor if agency_class("court_prosecutor")

# METADATA
# description: The purpose is in the given purpose list of policy data.
purpose_in(list) if purpose in object.get(purposes, list, [])

# METADATA
# description: A civil immigration purpose (R1).
immigration_purpose if purpose_in("immigration")

# METADATA
# description: CRIMINAL_INVESTIGATION or CRIMINAL_CASE_PROCESSING.
criminal_purpose if purpose_in("criminal")

# METADATA
# description: The legal basis type is in the given list of policy data.
basis_in(list) if basis_type in object.get(legal_basis, list, [])

# METADATA
# description: An attestation of the given kind was given.
attested(kind) if {
	some a in object.get(legal_basis, ["attestations", kind], [])
	a in attestations
}

# METADATA
# scope: document
# description: Legal process covers the request when namedSubjects is absent or at least subjects.count.
covers if _get(basis, "namedSubjects", null) == null

covers if {
	is_number(basis.namedSubjects)
	is_number(subject_count)
	basis.namedSubjects >= subject_count
}

_order_unexpired if _get(basis, "expires", null) == null

_order_unexpired if dates.not_passed(basis.expires, received_at)

# METADATA
# description: |
#   A JUDICIAL_WARRANT or COURT_ORDER signed by a judge, naming a court, not expired at
#   receivedAt and covering the request. Anything less counts as no legal basis.
valid_judicial_order if {
	basis_in("judicial_orders")
	basis.judgeSigned == true
	is_string(basis.court)
	basis.court != ""
	_order_unexpired
	covers
}

default order_listed_fields := set()

# METADATA
# scope: document
# description: The fields the valid judicial order lists.
order_listed_fields := {f | some f in _get(basis, "listedFields", [])} if valid_judicial_order

# METADATA
# scope: document
# description: A valid judicial order, or a judicial or grand-jury subpoena covering the request.
judicial_process if valid_judicial_order

judicial_process if {
	basis_in("judicial_subpoenas")
	covers
}

# METADATA
# scope: document
# description: Judicial process or an administrative subpoena covering the request.
legal_process if judicial_process

legal_process if {
	basis_in("admin_subpoenas")
	covers
}

# METADATA
# description: A verified SUBJECT_AUTHORIZATION for exactly one named subject.
subject_authorized if {
	basis_in("subject_authorizations")
	basis.verified == true
	selection == "NAMED"
	subject_count == 1
}

_issuing_offices := object.get(catalog.systems, [system, "issuing_offices"], null)

_inside_city_department if {
	city_department
	_issuing_offices == null
}

_inside_city_department if {
	city_department
	agency in _issuing_offices
}

# METADATA
# description: |
#   Neither a city department nor subject-authorized; on a system with issuing offices
#   (municipal_id) every city department but the issuing office is outside too.
outside_requester if {
	not _inside_city_department
	not subject_authorized
}

# METADATA
# description: Any subject selection other than AGGREGATE.
record_level if selection != "AGGREGATE"

# METADATA
# description: The bulk threshold that applies to this requester (R10).
bulk_threshold := thresholds.enforcement_bulk_subjects if {
	enforcement_requester
} else := thresholds.bulk_subjects

# METADATA
# scope: document
# description: A record-level request for ATTRIBUTE or ALL, or for more subjects than the threshold.
bulk if {
	record_level
	selection in {"ATTRIBUTE", "ALL"}
}

bulk if {
	record_level
	subject_count > bulk_threshold
}

# METADATA
# description: The class (A to E) of a field of the requested system.
field_class(f) := catalog.systems[system].fields[f]

# METADATA
# description: The requested fields of the given class.
requested_of_class(c) := {f | some f in fields; field_class(f) == c}

# METADATA
# description: A per-system field list of the catalog (public, locating, caller_identity, custody, status).
system_list(name) := {f | some f in object.get(catalog.systems, [system, name], [])}

# METADATA
# description: The requested 311 caller identity fields.
caller_fields := fields & system_list("caller_identity")

# METADATA
# description: The requesting program partner's program fields on the requested system.
program_fields := {f | some f in object.get(program_partners, [agency, system], [])}

# METADATA
# description: Every field of the system except class A, class B and 311 caller identity (R19).
case_fields contains f if {
	some f, c in catalog.systems[system].fields
	not c in {"A", "B"}
	not f in system_list("caller_identity")
}

# METADATA
# scope: document
# description: |
#   An immigration-related request, for the Council report (R25): an immigration purpose,
#   an enforcement requester, an administrative immigration document, or an 8 U.S.C.
#   1373 status inquiry.
immigration_related if immigration_purpose

immigration_related if enforcement_requester

immigration_related if basis_in("admin_immigration_documents")

immigration_related if basis_in("status_statutes")

immigration_related if purpose_in("status_inquiry")
