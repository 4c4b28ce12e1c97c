"""Services: one function per action, the only path every channel, view and API uses.

They take explicit arguments, hold the rules, run the workflow transition, and write the audit
event and the outbox rows in the same transaction. They never read `request`.
"""
