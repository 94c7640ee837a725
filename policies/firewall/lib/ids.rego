# METADATA
# title: Rule ids
# description: Orders rule ids (R1 to R27) by number rather than as strings.
package firewall.lib.ids

_number(id) := to_number(substring(id, 1, -1))

# METADATA
# description: The rule ids of a set or array, sorted by number (R2 before R10).
sorted(ids) := [id |
	some n in sort({_number(i) | some i in ids})
	some id in ids
	_number(id) == n
]
