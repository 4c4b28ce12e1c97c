"""The resolution workflow: states, transitions, guards, SLA policy, working-time calendar.

Pure Python: no Flask, no database, nothing else of ours. The `grievance` services feed it a
snapshot of a report and apply what it decides.
"""
