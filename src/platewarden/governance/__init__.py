"""The only door to personal data: every decrypting access is authorised here and recorded.

This first version governs alert review (an operator looks at an alert's crop beside the hotlist record). Searches
of stored reads, approval chains and retention come with the governance issue and use the same door.
"""
