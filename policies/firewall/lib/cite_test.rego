package firewall.lib.cite_test

import data.firewall.lib.cite

test_a_citation_comes_from_the_annotation if {
	c := cite.of({"title": "T", "description": "D", "custom": {"id": "R12", "sources": ["S"]}})
	c == {"id": "R12", "title": "T", "sources": ["S"], "reason": "D", "number": 12, "openQuestions": []}
}

test_a_citation_carries_the_open_questions if {
	c := cite.of({"title": "T", "description": "D", "custom": {"id": "R1", "sources": ["S"], "open_questions": ["Q"]}})
	c.openQuestions == ["Q"]
}
