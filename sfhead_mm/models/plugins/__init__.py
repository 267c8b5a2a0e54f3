from .base import BackbonePlugin, LossContext
from .insertion import SeamNotFoundError, find_blocks, select_blocks
from .sf_head import SFHead
from .sf_head_plugin import SFHeadPlugin

__all__ = ['BackbonePlugin', 'LossContext', 'SeamNotFoundError', 'find_blocks',
           'select_blocks', 'SFHead', 'SFHeadPlugin']
from . import fr_head, rdl_plugin  # noqa: E402,F401  (FRHead, FRHeadPlugin, RDLPlugin)
from . import cvsta  # noqa: E402,F401  (CVSTA, CVSTAPlugin)
