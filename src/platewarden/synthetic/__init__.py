"""Synthetic plates and street scenes with known text: for the demo, the tests and (extended) for training."""
