# METADATA
# title: Citations
# description: |
#   Turns a rule's METADATA annotation into the citation a decision carries. The
#   annotations are the single source of each rule's id, title, legal sources and
#   plain-language reason: OPA rewrites rego.metadata.rule() into a constant at
#   compile time, so the same values come out of the wasm build (checked from node by
#   deploy/opa/wasm-check.mjs).
package firewall.lib.cite

# METADATA
# description: The citation for a rule annotation (custom.id, title, custom.sources, description).
of(annotation) := {
	"id": annotation.custom.id,
	"title": annotation.title,
	"sources": annotation.custom.sources,
	"reason": annotation.description,
	"number": to_number(substring(annotation.custom.id, 1, -1)),
	"openQuestions": object.get(annotation.custom, "open_questions", []),
}
