"""Command-line pieces shared by ``tools/analysis/*.py``: choosing the groups and class names."""
import argparse
from typing import Optional

from .group_spec import GroupSet, builtin_files, resolve_groups


def add_group_arguments(parser: argparse.ArgumentParser,
                        default: Optional[str] = 'ntu120_sfhead9') -> None:
    """``--groups`` (a built-in set or a group JSON file) and ``--class-names`` (a file)."""
    parser.add_argument(
        '--groups', default=default,
        help=f'look-alike groups: a built-in set ({", ".join(sorted(builtin_files()))}) or a '
        f'group JSON file (default: {default})')
    parser.add_argument(
        '--class-names',
        help='class names of the dataset: a .txt file (one per line, line i = label i) or a '
        '.json list; needed for groups given by name, used for display')


def groups_from_args(args: argparse.Namespace, num_classes: Optional[int] = None) -> GroupSet:
    """Resolve ``--groups``/``--class-names``; check them against ``num_classes`` if given."""
    group_set = resolve_groups(args.groups, args.class_names)
    if num_classes is not None:
        group_set.check_num_classes(num_classes)
    return group_set

