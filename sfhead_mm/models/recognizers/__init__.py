from .plugin_recognizer_gcn import PluginRecognizerGCN
from .sf_recognizer_gcn import SFRecognizerGCN

__all__ = ['PluginRecognizerGCN', 'SFRecognizerGCN']
