"""The domain: plain async Python, no tornado, so each service is testable alone."""
