"""The identity nimbus serves itself: users, projects, roles, tokens."""
