package firewall.lib.dates_test

import data.firewall.lib.dates

# A stand-in for the host builtin: a fixed table of the instants these tests use.
_parse_stub(s) := {
	"2030-06-30T00:00:00Z": 1909008000000000000,
	"2030-06-30T23:59:59Z": 1909094399000000000,
	"2030-07-01T00:00:00Z": 1909094400000000000,
	"2030-06-30T12:00:00Z": 1909051200000000000,
	"2030-06-30T12:00:00.5+02:00": 1909044000500000000,
}[s]

test_date_accepts_calendar_dates if {
	dates.is_date("2030-06-30")
	dates.is_date("2028-02-29")
	dates.is_date("2000-02-29")
}

test_date_rejects_malformed_and_impossible_dates if {
	not dates.is_date("2030-6-30")
	not dates.is_date("2030-06-31")
	not dates.is_date("2030-13-01")
	not dates.is_date("2030-00-10")
	not dates.is_date("2030-01-00")
	not dates.is_date("2029-02-29")
	not dates.is_date("1900-02-29")
	not dates.is_date("2030-06-30T00:00:00Z")
	not dates.is_date(20300630)
}

test_date_time_accepts_rfc3339 if {
	dates.is_date_time("2030-06-30T12:00:00Z")
	dates.is_date_time("2030-06-30T12:00:00.5+02:00")
	dates.is_date_time("2030-06-30T23:59:59-05:30")
}

test_date_time_rejects_malformed if {
	not dates.is_date_time("2030-06-30")
	not dates.is_date_time("2030-06-30 12:00:00Z")
	not dates.is_date_time("2030-06-30T24:00:00Z")
	not dates.is_date_time("2030-06-30T12:60:00Z")
	not dates.is_date_time("2030-06-30T12:00:60Z")
	not dates.is_date_time("2030-06-30T12:00:00+24:00")
	not dates.is_date_time("2030-06-30T12:00:00+02:60")
	not dates.is_date_time("2030-02-30T12:00:00Z")
	not dates.is_date_time("2030-06-30t12:00:00z")
	not dates.is_date_time("next tuesday")
	not dates.is_date_time(null)
}

test_date_is_valid_through_the_end_of_the_day if {
	dates.not_passed("2030-06-30", "2030-06-30T23:59:59Z") with time.parse_rfc3339_ns as _parse_stub
	not dates.not_passed("2030-06-30", "2030-07-01T00:00:00Z") with time.parse_rfc3339_ns as _parse_stub
}

test_date_time_limit_has_passed_at_that_instant if {
	dates.not_passed("2030-06-30T12:00:00Z", "2030-06-30T00:00:00Z") with time.parse_rfc3339_ns as _parse_stub
	not dates.not_passed("2030-06-30T12:00:00Z", "2030-06-30T12:00:00Z") with time.parse_rfc3339_ns as _parse_stub
	not dates.not_passed("2030-06-30T12:00:00.5+02:00", "2030-06-30T12:00:00Z") with time.parse_rfc3339_ns as _parse_stub
}

test_malformed_limit_or_instant_is_never_valid if {
	not dates.not_passed("30/06/2030", "2030-06-30T00:00:00Z") with time.parse_rfc3339_ns as _parse_stub
	not dates.not_passed("2030-06-30", "2030-06-30") with time.parse_rfc3339_ns as _parse_stub
	not dates.not_passed("2030-06-30", null) with time.parse_rfc3339_ns as _parse_stub
}

test_real_builtin_agrees_with_the_stub if {
	dates.instant_ns("2030-06-30T12:00:00Z") == 1909051200000000000
	dates.end_ns("2030-06-30") == 1909094400000000000
	dates.end_ns("2030-06-30T12:00:00.5+02:00") == 1909044000500000000
}

test_lower_case_t_and_z_are_rfc_3339 if {
	dates.instant_ns("2030-06-30t12:00:00z") == dates.instant_ns("2030-06-30T12:00:00Z")
	dates.not_passed("2030-06-30t12:00:00z", "2030-06-30t11:59:59z")
	not dates.not_passed("2030-06-30t12:00:00z", "2030-06-30t12:00:01z")
}
