"""Stacks (pathways) and badge-gated opportunities: rules, unlocks, applications."""
