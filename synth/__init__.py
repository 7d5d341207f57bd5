"""Seeded generators of synthetic trace-request batches, for tests, benchmarks and examples only.

Not part of the tracecheck package (the wheel does not ship them):

* ``synth.batches.generate_batch`` — realistic, dirty batches with ground truth per injected defect;
* ``synth.duplicates.generate_linked_batch`` — batches with labelled duplicate requests (which rows
  are the same gun, the same recovery event) for the duplicate-finder benchmarks.

Tests find this package through pytest's ``pythonpath``; scripts put the repository root on
``sys.path`` first.
"""
