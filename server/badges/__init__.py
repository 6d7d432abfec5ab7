"""Open Badges: issuers, badge classes, awards, verification (OB 2.0 and 3.0)."""
