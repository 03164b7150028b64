"""Server-rendered pages (Jinja2, no build step): operators, approvers, auditors, and the public portal."""
