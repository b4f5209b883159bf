"""The sample portfolio Cost Drift opens with, and the seeded script that generates it."""
