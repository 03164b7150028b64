"""Measuring recognition on labelled sets (the label format of openalpr/benchmarks)."""
