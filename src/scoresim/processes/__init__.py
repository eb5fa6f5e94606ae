"""Vectorised monthly processes of the SCORE model, one concept per module.

Each function works on whole arrays with a leading world axis and takes its random numbers
as arrays (uniforms or standard normals) drawn from the process's own named stream (see
``scoresim.rng``), which is what pairs the programme and counterfactual worlds on common
random numbers.
"""
