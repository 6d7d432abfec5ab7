"""Partner organizations: onboarding, staff and roles, API tokens."""
