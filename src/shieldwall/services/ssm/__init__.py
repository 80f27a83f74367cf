"""AWS Systems Manager Parameter Store: parameters, versions, labels, tiers, policies and SecureStrings encrypted
through shieldwall's KMS. Every other SSM operation answers 501 NotImplemented."""
