"""Calibration against reported outcomes: targets, ABC-SMC (pyabc) through the project's
executors, posterior, fit table and identifiability; posteriors used by runs and sweeps."""
