"""Backbones MMAction2 does not ship: CTR-GCN, InfoGCN, HD-GCN, BlockGCN."""
from . import blockgcn, hdgcn  # noqa: F401  (BlockGCN, HDGCN)
from . import ctrgcn, infogcn  # noqa: E402,F401  (CTRGCN, InfoGCN)
from . import ffn  # noqa: E402,F401  (FFN)
from . import mdrgcn  # noqa: E402,F401  (MDRGCN)
