"""The compliance assessment a third party can run: ``gather`` (database → snapshot of aggregates, needs the keys),
``assess`` (snapshot + policy → findings, pure), ``render_html`` / ``render_pdf`` (findings → documents)."""
