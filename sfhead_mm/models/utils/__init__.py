"""Units shared by several backbones."""
from .tcn import MultiScaleTCN, TemporalConv, bn_init, conv_init

__all__ = ['MultiScaleTCN', 'TemporalConv', 'conv_init', 'bn_init']
