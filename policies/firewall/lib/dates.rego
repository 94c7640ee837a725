# METADATA
# title: Dates
# description: |
#   RFC 3339 date and date-time checks for legal process expiry. Every string is
#   checked with a regular expression and a calendar check before it reaches
#   time.parse_rfc3339_ns (the only time builtin: the TypeScript side supplies it to
#   the wasm module), so a malformed date leaves the result undefined instead of
#   raising an error.
package firewall.lib.dates

_date_pattern := `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`

_date_time_pattern := `^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$`

_ns_per_day := 86400000000000

# to_number rejects leading zeros ("08"), so a digit string is read behind a leading 1.
_digits(s, start, n) := to_number(concat("", ["1", substring(s, start, n)])) - pow10 if {
	pow10 := {2: 100, 4: 10000}[n]
}

_leap(y) if {
	y % 4 == 0
	y % 100 != 0
}

_leap(y) if y % 400 == 0

_days_in_month(y, m) := 29 if {
	m == 2
	_leap(y)
}

_days_in_month(y, m) := 28 if {
	m == 2
	not _leap(y)
}

_days_in_month(_, m) := 30 if m in {4, 6, 9, 11}

_days_in_month(_, m) := 31 if m in {1, 3, 5, 7, 8, 10, 12}

_valid_calendar_day(s) if {
	y := _digits(s, 0, 4)
	m := _digits(s, 5, 2)
	d := _digits(s, 8, 2)
	d >= 1
	d <= _days_in_month(y, m)
}

_valid_clock(s) if {
	_digits(s, 11, 2) <= 23
	_digits(s, 14, 2) <= 59
	_digits(s, 17, 2) <= 59
	_valid_offset(s)
}

_valid_offset(s) if endswith(s, "Z")

_valid_offset(s) if {
	not endswith(s, "Z")
	offset := substring(s, count(s) - 6, 6)
	_digits(offset, 1, 2) <= 23
	_digits(offset, 4, 2) <= 59
}

# METADATA
# description: s is a calendar date without a time (YYYY-MM-DD).
is_date(s) if {
	is_string(s)
	regex.match(_date_pattern, s)
	_valid_calendar_day(s)
}

# METADATA
# description: s is an RFC 3339 date-time with a valid calendar day, clock and offset.
is_date_time(s) if {
	is_string(s)
	regex.match(_date_time_pattern, s)
	_valid_calendar_day(s)
	_valid_clock(s)
}

# METADATA
# description: |
#   The instant of an RFC 3339 date-time, in nanoseconds since the epoch. RFC 3339 (5.6)
#   allows a lower-case "t" and "z": they are read as upper case.
instant_ns(s) := time.parse_rfc3339_ns(u) if {
	is_string(s)
	u := upper(s)
	is_date_time(u)
}

# METADATA
# scope: document
# description: |
#   The first instant at which a validity limit has passed: a date-time itself, or for a
#   date without a time the start of the next day UTC (valid through the end of that day).
end_ns(s) := instant_ns(s)

end_ns(s) := time.parse_rfc3339_ns(concat("", [s, "T00:00:00Z"])) + _ns_per_day if is_date(s)

# METADATA
# description: The limit has not passed at the given RFC 3339 instant.
not_passed(limit, at) if instant_ns(at) < end_ns(limit)
