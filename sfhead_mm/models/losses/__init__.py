from .feature_consistency_loss import FeatureConsistencyLoss
from .feature_redundancy_loss import FeatureRedundancyLoss

__all__ = ['FeatureRedundancyLoss', 'FeatureConsistencyLoss']
from . import fr_head_loss, robust_decouple_loss  # noqa: E402,F401  (FRContrastiveLoss, RDL)
from .infogcn_loss import InfoGCNLoss  # noqa: E402,F401
from .two_stage_loss import TwoStageLoss  # noqa: E402,F401
