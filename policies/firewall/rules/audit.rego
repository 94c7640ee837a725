# METADATA
# title: Audit rule
# description: R25 of POLICY-DOMAIN.md.
package firewall.rules.audit

import data.firewall.lib.cite
import data.firewall.terms

# METADATA
# title: Every decision is audited; immigration-related requests are reported to the Council
# description: >-
#   Every decision is written to a signed audit record. Immigration-related requests also
#   enter the report to the City Council, without personal data.
# custom:
#   id: R25
#   sources:
#     - Minneapolis separation ordinance, December 2025 amendment (reports to the Council when federal agencies ask for help) [S, news reports]
#     - Minnesota Government Data Practices Act, Minn. Stat. ch. 13
#   open_questions:
#     - ORDINANCE_TEXT_2025
matched["r25"] := cite.of(rego.metadata.rule())

default council_report := false

# METADATA
# scope: document
# description: The request enters the Council report.
council_report := terms.immigration_related
