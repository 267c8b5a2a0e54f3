"""Framework-free computations shared by the metrics and the analysis tools."""
from .group_accuracy import (DIFFICULTY_LEVELS, class_accuracy, confusion_matrix,
                             data_driven_groups, difficulty_levels, group_stats,
                             groups_summary, nanmean)

__all__ = ['DIFFICULTY_LEVELS', 'class_accuracy', 'confusion_matrix', 'data_driven_groups',
           'difficulty_levels', 'group_stats', 'groups_summary', 'nanmean']
