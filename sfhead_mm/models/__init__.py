"""Models: backbones, plugins inserted into them (SF-Head, ...), their losses, recognizers.

Importing registers them into MMAction2's ``MODELS`` and changes nothing else, except the one stub
``mmaction.models`` cannot be imported without on the mmaction2 1.2.0 wheel (:mod:`sfhead_mm.compat`).
"""
from ..compat import stub_missing_drn

stub_missing_drn()  # before the first import of mmaction.models
from . import backbones, heads  # noqa: E402, losses, plugins, recognizers  # noqa: F401
from .losses import FeatureConsistencyLoss, FeatureRedundancyLoss
from .plugins import SFHead, SFHeadPlugin
from .recognizers import PluginRecognizerGCN, SFRecognizerGCN

__all__ = ['SFHead', 'SFHeadPlugin', 'FeatureRedundancyLoss', 'FeatureConsistencyLoss',
           'PluginRecognizerGCN', 'SFRecognizerGCN']
