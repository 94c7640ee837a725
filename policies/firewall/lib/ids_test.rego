package firewall.lib.ids_test

import data.firewall.lib.ids

test_rule_ids_sort_by_number if {
	ids.sorted({"R10", "R2", "R25", "R1"}) == ["R1", "R2", "R10", "R25"]
	ids.sorted([]) == []
}
