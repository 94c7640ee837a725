# METADATA
# title: Test fixtures
# description: Request builders shared by the unit tests (a _test file, so never in the bundle).
package firewall.lib.fixtures_test

# METADATA
# description: A verified city health department asking for one 311 service type for service delivery.
base := {
	"requester": {"agency": "CITY_HEALTH", "role": "test", "verified": true},
	"purpose": {"code": "SERVICE_DELIVERY", "text": "service delivery"},
	"legalBasis": {"type": "NONE"},
	"channel": "RECORD_REQUEST",
	"system": "service_requests",
	"fields": ["service_type"],
	"subjects": {"count": 1, "selection": "NAMED"},
	"receivedAt": "2026-12-01T15:00:00Z",
}

# METADATA
# description: The base request from an agency, for a purpose, on a system, for fields.
request(agency, purpose, system, fields) := object.union(base, {
	"requester": {"agency": agency, "role": "test", "verified": true},
	"purpose": {"code": purpose, "text": "test"},
	"system": system,
	"fields": fields,
})

# METADATA
# description: A valid court order listing fields.
order(listed) := {
	"type": "COURT_ORDER",
	"court": "Hennepin County District Court",
	"judgeSigned": true,
	"expires": "2030-06-30",
	"listedFields": listed,
}

# METADATA
# description: A request with a legal basis.
with_basis(r, b) := object.union(r, {"legalBasis": b})

# METADATA
# description: A request with a subject selection.
with_subjects(r, selection, n) := object.union(r, {"subjects": {"count": n, "selection": selection}})
