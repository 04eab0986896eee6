#!/bin/sh
# A trivial generic function for benchmarks: answers at once with a fixed value, so a run measures the network and
# the worker, not a model.
printf '{"infererValue": "1"}\n'
