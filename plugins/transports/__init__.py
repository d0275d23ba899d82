"""oslo.messaging transport drivers nimbus ships itself."""
