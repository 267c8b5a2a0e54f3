"""Models: backbones, plugins inserted into them (SF-Head, ...), their losses, recognizers."""
from . import backbones, heads, losses, plugins, recognizers  # noqa: F401
from .losses import FeatureConsistencyLoss, FeatureRedundancyLoss
from .plugins import SFHead, SFHeadPlugin
from .recognizers import PluginRecognizerGCN, SFRecognizerGCN

__all__ = ['SFHead', 'SFHeadPlugin', 'FeatureRedundancyLoss', 'FeatureConsistencyLoss',
           'PluginRecognizerGCN', 'SFRecognizerGCN']
