"""The scale-up planner: what a national SCORE programme reaches, achieves and costs under a
budget and the trainers it can train and keep, for rollout strategies and budget allocations.

Layers: :mod:`.params` (the planner config), :mod:`.plan` (budget, trainers, uptake and who is
served when), :mod:`.simulate` (plans through the agent-based model, outcomes against the
counterfactual), :mod:`.metrics` (yearly and cumulative figures, costs per outcome),
:mod:`.run` (replicates on an executor), :mod:`.optimise` (allocation search), :mod:`.figures`
and :mod:`.commands` (``scoresim scaleup``).
"""

from .params import OBJECTIVES, PlanConfig
from .plan import Allocation, Plan, build_plan

__all__ = ["PlanConfig", "OBJECTIVES", "Allocation", "Plan", "build_plan"]
