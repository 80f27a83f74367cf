"""The CloudTrail-shaped audit trail: events, redaction, the background writer and LookupEvents."""
