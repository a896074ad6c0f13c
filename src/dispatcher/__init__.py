"""The reference dispatcher: one Python worker that hosts many tenants' Workflows."""
