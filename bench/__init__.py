"""Benchmarks of the API functions: DynamoDB requests per operation, handler overhead, scale, cold start.

`python -m bench` (`make bench`) measures under in-process moto and writes docs/benchmarks.md.
The request counts are deterministic and checked by tests/bench; the timings are only reported.
"""
