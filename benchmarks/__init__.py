"""Benchmark data (SCAN, PCFG SET, HINT): loaders and generators of ``Example``s."""
