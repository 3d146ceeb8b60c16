"""Relationship maintenance: what an RM does for their book and when (greetings today; the
workbench, contact plans and tasks of issue 23 land here)."""
