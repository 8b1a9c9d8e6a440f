"""Exercises: scenario files played against the whole service on a simulated clock."""
