"""Calibration to two kinds of evidence, each for its own estimand: monitoring figures (what
participants reported) and trial results (causal effects). A reference table of simulations at
prior draws, an emulator of the statistics learned from it, sequential Monte Carlo on the
emulated likelihood, simulation-based calibration on held-out simulations; posteriors used by
runs, sweeps and the scale-up planner."""
