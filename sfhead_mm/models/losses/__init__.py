from .feature_consistency_loss import FeatureConsistencyLoss
from .feature_redundancy_loss import FeatureRedundancyLoss

__all__ = ['FeatureRedundancyLoss', 'FeatureConsistencyLoss']
