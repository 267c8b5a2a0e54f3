"""Models: backbones, plugins inserted into them (SF-Head, ...), their losses, recognizers.

Importing registers them into MMAction2's ``MODELS`` and changes nothing else, except the
stand-ins without which ``mmaction.models`` cannot be imported: the module missing from the
mmaction2 1.2.0 wheel, and, only with a transformers too new for it, its multimodal models
(:mod:`sfhead_mm.compat`).
"""
from ..compat import stub_broken_multimodal, stub_missing_drn

# before the first import of mmaction.models
stub_missing_drn()
stub_broken_multimodal()
from . import backbones, heads  # noqa: E402, losses, plugins, recognizers  # noqa: F401
from .losses import FeatureConsistencyLoss, FeatureRedundancyLoss
from .plugins import SFHead, SFHeadPlugin
from .recognizers import PluginRecognizerGCN, SFRecognizerGCN

__all__ = ['SFHead', 'SFHeadPlugin', 'FeatureRedundancyLoss', 'FeatureConsistencyLoss',
           'PluginRecognizerGCN', 'SFRecognizerGCN']
