"""Backbones MMAction2 does not ship: CTR-GCN, InfoGCN, HD-GCN, BlockGCN."""
