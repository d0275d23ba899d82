"""cliff commands of the nimbus CLI: one module per resource."""
